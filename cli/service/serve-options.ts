import { AUDIT_OPTIONS } from './audit-config.ts';

/** `pulsar-gate serve` flags and the environment variables behind them (pipe/cli.ts). */
export const SERVE_OPTIONS = [
  [
    '--pulsar-url <url>',
    'PULSAR_URL',
    'broker web service (ws[s]://, http[s]://) or pulsar[+ssl]:// URL (required)',
  ],
  ['--pulsar-token <jwt>', 'PULSAR_TOKEN', "the service's Pulsar token (or the OAuth options below)"],
  [
    '--oauth-issuer <url>',
    'OAUTH_ISSUER',
    'OAuth 2.0 / OIDC provider the service gets Pulsar access tokens from',
  ],
  ['--oauth-client-id <id>', 'OAUTH_CLIENT_ID', "the service's client id at that provider"],
  ['--oauth-client-secret-file <file>', 'OAUTH_CLIENT_SECRET_FILE', 'file holding the client secret'],
  ['--oauth-audience <aud>', 'OAUTH_AUDIENCE', 'resource indicator (RFC 8707) naming the Pulsar cluster'],
  ['--topics <list>', 'TOPICS', 'comma-separated request topics to consume (required)'],
  ['--keys-topic <topic>', 'KEYS_TOPIC', 'announce the stored key sets (keys rotate) on this topic at start'],
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
