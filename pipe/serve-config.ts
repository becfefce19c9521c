import { GateError } from '../src/errors.ts';
import { parseTopic } from '../src/transport/topic.ts';
import { AUDIT_OPTIONS, type AuditConfig, parseAuditConfig } from './audit-config.ts';
import { serveFields } from './serve-fields.ts';

/** `pulsar-gate serve` options, flags over environment variables, validated once. */
export interface ServeConfig {
  readonly pulsarUrl: string;
  readonly pulsarToken: string | undefined;
  readonly topics: readonly string[];
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

export const SERVE_OPTIONS = [
  [
    '--pulsar-url <url>',
    'PULSAR_URL',
    'broker web service (ws[s]://, http[s]://) or pulsar[+ssl]:// URL (required)',
  ],
  ['--pulsar-token <jwt>', 'PULSAR_TOKEN', "the service's Pulsar token"],
  ['--topics <list>', 'TOPICS', 'comma-separated request topics to consume (required)'],
  [
    '--subscription <name>',
    'SUBSCRIPTION',
    'durable Shared subscription shared by replicas (default: pulsar-gate-service)',
  ],
  [
    '--dead-letter-suffix <suffix>',
    'DEAD_LETTER_SUFFIX',
    'poison messages go to <topic><suffix> (default: -dlq)',
  ],
  ['--signing-key <file>', 'SIGNING_KEY_FILE', 'private JWK from `pulsar-gate keys generate` (required)'],
  ['--policy-dir <dir>', 'POLICY_DIR', 'Cedar policies, schema.cedarschema and groups.json (required)'],
  ['--issuers <list>', 'OIDC_ISSUERS', 'comma-separated allowed OIDC issuer URLs (required)'],
  ['--audiences <list>', 'OIDC_AUDIENCES', 'comma-separated allowed token audiences (required)'],
  [
    '--allow-insecure-issuer [bool]',
    'ALLOW_INSECURE_ISSUER',
    'accept http:// issuers (tests only; default: false)',
  ],
  [
    '--state-dir <dir>',
    'STATE_DIR',
    'where replay-protection state survives restarts (default: memory only)',
  ],
  ['--request-window <seconds>', 'REQUEST_WINDOW', 'accepted clock difference of a request (default: 300)'],
  ['--decision-ttl <seconds>', 'DECISION_TTL', 'how long a decision is valid (default: 300)'],
  ['--http-host <host>', 'HTTP_HOST', 'health and metrics listen address (default: 127.0.0.1)'],
  ['--http-port <port>', 'HTTP_PORT', 'health and metrics port, 0 for any free port (default: 9464)'],
  ['--decision-log <file>', 'DECISION_LOG', 'JSON lines, one per decision; - for stdout (default: -)'],
  ['--concurrency <n>', 'CONCURRENCY', 'requests decided at once per topic (default: 16)'],
  ...AUDIT_OPTIONS,
] as const;

type Raw = Readonly<Record<string, string | undefined>>;

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
  const issuers = list('OIDC_ISSUERS');
  const allowInsecureIssuer = bool('ALLOW_INSECURE_ISSUER');
  for (const issuer of issuers) {
    if (!/^https:\/\//.test(issuer) && !(allowInsecureIssuer && /^http:\/\//.test(issuer))) {
      problems.push(`OIDC_ISSUERS: ${issuer} is not an https:// URL`);
    }
  }
  const config: ServeConfig = {
    pulsarUrl,
    pulsarToken: raw.PULSAR_TOKEN?.trim() || undefined,
    topics,
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
