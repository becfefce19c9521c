import { parseTopicEntry } from '../../src/service/topic-patterns.ts';
import { boolean, integer, list, text, topic, url } from '../options/parsers.ts';
import { POLICY_DIR_OPTION, PULSAR_URL_OPTION, pulsarTokenOption } from '../options/shared-options.ts';
import { fail, ok, options, type Parse } from '../options/spec.ts';
import { APPROVAL_OPTIONS } from './approval-options.ts';
import { AUDIT_OPTIONS } from './audit-options.ts';
import { BITBUCKET_OPTIONS } from './bitbucket-options.ts';
import { configDocument } from './config-document.ts';
import { GATE_OPTIONS } from './gate-options.ts';
import { REPLY_OPTIONS } from './reply-options.ts';

/** A topic, or a pattern over one namespace's topics (src/service/topic-patterns.ts). */
const topicOrPattern: Parse<string> = (value) => {
  const checked = topic(value);
  if (checked.ok) return checked;
  try {
    return parseTopicEntry(value).kind === 'pattern' ? ok(value) : checked;
  } catch (error) {
    return fail(
      error instanceof Error
        ? error.message.replace(/^invalid topic (pattern )?"[^"]*": /, '')
        : 'is invalid',
    );
  }
};

/** `pulsar-gate-service serve` options: flags, the environment variables behind them, parsers, help. */
export const SERVE_OPTIONS = options({
  config: {
    flag: '--config',
    env: 'CONFIG_FILE',
    configFile: configDocument,
    parse: text,
    accepts:
      'a YAML or JSON file of these settings under their variable names (TOPICS: …); flags and variables win over it, secrets only as X_FILE',
  },
  pulsarUrl: { ...PULSAR_URL_OPTION, required: true },
  pulsarToken: pulsarTokenOption("the service's Pulsar token (or the OAuth options below)"),
  oauthIssuer: {
    flag: '--oauth-issuer',
    env: 'OAUTH_ISSUER',
    parse: url(['https', 'http']),
    accepts: 'the OAuth 2.0 / OIDC provider the service gets Pulsar access tokens from',
  },
  oauthClientId: {
    flag: '--oauth-client-id',
    env: 'OAUTH_CLIENT_ID',
    parse: text,
    accepts: "the service's client id at that provider",
  },
  oauthClientSecret: {
    flag: '--oauth-client-secret',
    env: 'OAUTH_CLIENT_SECRET',
    secret: true,
    parse: text,
    accepts: 'the client secret at that provider (give it as a file: OAUTH_CLIENT_SECRET_FILE)',
  },
  oauthAudience: {
    flag: '--oauth-audience',
    env: 'OAUTH_AUDIENCE',
    parse: text,
    accepts: 'a resource indicator (RFC 8707) naming the Pulsar cluster',
  },
  topics: {
    flag: '--topics',
    env: 'TOPICS',
    required: true,
    parse: list(topicOrPattern),
    accepts:
      'comma-separated request topics, or patterns over one namespace (persistent://TENANT/NS/REGEX) listed through the admin REST API; re-read on SIGHUP',
  },
  pulsarAdminUrl: {
    flag: '--pulsar-admin-url',
    env: 'PULSAR_ADMIN_URL',
    parse: url(['https', 'http']),
    accepts: "the broker's admin REST API, where TOPICS patterns are listed",
    defaultText: 'PULSAR_URL when it is ws(s):// or http(s)://',
  },
  keysTopic: {
    flag: '--keys-topic',
    env: 'KEYS_TOPIC',
    parse: topic,
    accepts: 'a topic to announce the stored key sets (keys rotate) on at start',
  },
  subscription: {
    flag: '--subscription',
    env: 'SUBSCRIPTION',
    parse: text,
    fallback: 'pulsar-gate-service',
    accepts: 'the durable Key_Shared subscription replicas share (requests keyed by step)',
  },
  deadLetterSuffix: {
    flag: '--dead-letter-suffix',
    env: 'DEAD_LETTER_SUFFIX',
    parse: text,
    fallback: '-dlq',
    accepts: 'a suffix: poison messages go to <topic><suffix>',
  },
  signingKeyFile: {
    flag: '--signing-key',
    env: 'SIGNING_KEY_FILE',
    required: true,
    parse: text,
    accepts: 'the private JWK file from `pulsar-gate keys generate`',
  },
  encryptionKeysFile: {
    flag: '--encryption-keys',
    env: 'ENCRYPTION_KEYS_FILE',
    parse: text,
    accepts:
      'the private encryption keys (a JWKS) from `keys generate`/`keys rotate`: they decrypt the step tokens',
    defaultText: 'service-enc-keys.json beside SIGNING_KEY_FILE',
  },
  policyDir: POLICY_DIR_OPTION,
  issuers: {
    flag: '--issuers',
    env: 'OIDC_ISSUERS',
    required: true,
    parse: list(url(['https', 'http'])),
    accepts: 'comma-separated allowed OIDC issuer https:// URLs',
  },
  audiences: {
    flag: '--audiences',
    env: 'OIDC_AUDIENCES',
    required: true,
    parse: list(text),
    accepts: 'comma-separated allowed token audiences',
  },
  allowInsecureIssuer: {
    flag: '--allow-insecure-issuer',
    env: 'ALLOW_INSECURE_ISSUER',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: accept http:// issuers (tests only)',
  },
  stateDir: {
    flag: '--state-dir',
    env: 'STATE_DIR',
    parse: text,
    accepts: 'a directory where the audit trail and its outbox survive restarts',
    defaultText: 'memory only, no audit trail',
  },
  requestWindowSeconds: {
    flag: '--request-window',
    env: 'REQUEST_WINDOW',
    parse: integer(5, 3600),
    fallback: 300,
    accepts: 'seconds, 5–3600: the accepted clock difference of a request',
  },
  decisionTtlSeconds: {
    flag: '--decision-ttl',
    env: 'DECISION_TTL',
    parse: integer(5, 3600),
    fallback: 300,
    accepts: 'seconds, 5–3600: how long a decision is valid',
  },
  httpHost: {
    flag: '--http-host',
    env: 'HTTP_HOST',
    parse: text,
    fallback: '127.0.0.1',
    accepts: 'the health and metrics listen address',
  },
  httpPort: {
    flag: '--http-port',
    env: 'HTTP_PORT',
    parse: integer(0, 65_535),
    fallback: 9464,
    accepts: 'the health and metrics port, 0–65535 (0: any free port)',
  },
  decisionLog: {
    flag: '--decision-log',
    env: 'DECISION_LOG',
    parse: text,
    fallback: '-',
    accepts: 'a file for JSON lines, one per decision; - for stdout',
  },
  concurrency: {
    flag: '--concurrency',
    env: 'CONCURRENCY',
    parse: integer(1, 256),
    fallback: 16,
    accepts: 'requests decided at once by the replica, all its topics together, 1–256',
  },
  ...BITBUCKET_OPTIONS,
  ...REPLY_OPTIONS,
  ...AUDIT_OPTIONS,
  ...GATE_OPTIONS,
  ...APPROVAL_OPTIONS,
});

export type ServeOptions = typeof SERVE_OPTIONS;
