import { GateError } from '../../src/errors.ts';
import { parseTopic } from '../../src/transport/topic.ts';
import { type AuditConfig, parseAuditConfig } from './audit-config.ts';
import { serveFields } from './serve-fields.ts';
import { type OAuthClientConfig, oauthClient } from './serve-oauth-config.ts';

/** `pulsar-gate serve` options, flags over environment variables, validated once. */
export interface ServeConfig {
  readonly pulsarUrl: string;
  readonly pulsarToken: string | undefined;
  /** OAuth 2.0 client credentials for Pulsar (issue 5 §3); exclusive with pulsarToken. */
  readonly oauth: OAuthClientConfig | undefined;
  readonly topics: readonly string[];
  /** Where key sets are announced (issue 5 §4); undefined: no announcements. */
  readonly keysTopic: string | undefined;
  readonly subscription: string;
  readonly deadLetterSuffix: string;
  readonly signingKeyFile: string;
  readonly policyDir: string;
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly allowInsecureIssuer: boolean;
  readonly stateDir: string | undefined;
  readonly requestWindowSeconds: number;
  readonly decisionTtlSeconds: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly decisionLog: string;
  readonly concurrency: number;
  /** Undefined without STATE_DIR: the trail and its outbox live there. */
  readonly audit: AuditConfig | undefined;
}

export type Raw = Readonly<Record<string, string | undefined>>;

export function parseServeConfig(raw: Raw): ServeConfig {
  const problems: string[] = [];
  const { need, list, int, bool } = serveFields(raw, problems);
  const pulsarUrl = need('PULSAR_URL');
  const topics = list('TOPICS');
  for (const topic of topics) {
    try {
      parseTopic(topic);
    } catch (error) {
      problems.push(`TOPICS: ${error instanceof Error ? error.message : 'invalid topic'}`);
    }
  }
  const keysTopic = raw.KEYS_TOPIC?.trim() || undefined;
  if (keysTopic !== undefined) {
    try {
      parseTopic(keysTopic);
    } catch (error) {
      problems.push(`KEYS_TOPIC: ${error instanceof Error ? error.message : 'invalid topic'}`);
    }
  }
  const issuers = list('OIDC_ISSUERS');
  const allowInsecureIssuer = bool('ALLOW_INSECURE_ISSUER');
  for (const issuer of issuers) {
    if (!/^https:\/\//.test(issuer) && !(allowInsecureIssuer && /^http:\/\//.test(issuer))) {
      problems.push(`OIDC_ISSUERS: ${issuer} is not an https:// URL`);
    }
  }
  const pulsarToken = raw.PULSAR_TOKEN?.trim() || undefined;
  const oauth = oauthClient(raw, pulsarToken, allowInsecureIssuer, problems);
  const config: ServeConfig = {
    pulsarUrl,
    pulsarToken,
    oauth,
    topics,
    keysTopic,
    subscription: raw.SUBSCRIPTION?.trim() || 'pulsar-gate-service',
    deadLetterSuffix: raw.DEAD_LETTER_SUFFIX?.trim() || '-dlq',
    signingKeyFile: need('SIGNING_KEY_FILE'),
    policyDir: need('POLICY_DIR'),
    issuers,
    audiences: list('OIDC_AUDIENCES'),
    allowInsecureIssuer,
    stateDir: raw.STATE_DIR?.trim() || undefined,
    requestWindowSeconds: int('REQUEST_WINDOW', 300, 5, 3600),
    decisionTtlSeconds: int('DECISION_TTL', 300, 5, 3600),
    httpHost: raw.HTTP_HOST?.trim() || '127.0.0.1',
    httpPort: int('HTTP_PORT', 9464, 0, 65535),
    decisionLog: raw.DECISION_LOG?.trim() || '-',
    concurrency: int('CONCURRENCY', 16, 1, 256),
    audit: parseAuditConfig(raw, problems),
  };
  if (problems.length)
    throw new GateError('CONFIG_INVALID', problems.join('\n'), { details: { path: 'serve options' } });
  return Object.freeze(config);
}
