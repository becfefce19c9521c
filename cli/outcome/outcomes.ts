import type { ErrorCode } from '../../src/errors.ts';
import { EXIT, type Outcome } from './exit.ts';

const PULSAR_HINT =
  "check PULSAR_URL (ws:// and wss:// need the broker's WebSocket service, pulsar:// its binary port) and the role's permissions";

/**
 * The one table from error codes to exit codes and hints, for every command (docs/design.md §5,
 * P6): the pipe's `request`, `serve`, `keys`, `audit` and `policy test` all end through it.
 */
export const OUTCOMES: Readonly<Record<ErrorCode, Outcome>> = Object.freeze({
  CONFIG_INVALID: {
    exit: EXIT.config,
    path: 'pipe variables',
    hint: 'fix the variables named above in bitbucket-pipelines.yml',
    hints: {
      serve: 'fix the options named above; `pulsar-gate-service serve --help` lists them',
      keys: 'fix the options named above; `keys --help` lists them',
      audit: 'fix the options named above; `audit verify --help` lists them',
      policy: 'fix the policy directory or request file named above',
      onboard: 'fix the options named above; `onboard --help` lists them',
      webhooks: 'fix the options named above; `pulsar-gate-service webhooks --help` lists them',
    },
  },
  KEYS_UNAVAILABLE: {
    exit: EXIT.config,
    path: 'DECISION_KEYS',
    hint: "DECISION_KEYS must point at the decision service's public JWKS (inline JSON, a file or an https URL)",
    hints: {
      serve:
        'SIGNING_KEY_FILE and ENCRYPTION_KEYS_FILE (and with GATE_ISSUER, GATE_KEYS_FILE) must be readable: the private keys `keys generate` (--gate) wrote',
      keys: 'the keys directory must hold what `keys generate` wrote',
      audit: "--keys must name the decision service's public JWKS (decision-keys.json or audit-keys.json)",
    },
  },
  KEYS_INVALID: {
    exit: EXIT.config,
    path: 'DECISION_KEYS',
    hint: 'publish the output of `pulsar-gate keys generate` (the public JWKS: a signing key and one encryption key) as DECISION_KEYS',
    hints: {
      serve:
        'SIGNING_KEY_FILE and ENCRYPTION_KEYS_FILE must be the private keys written by `keys generate` (this version writes both); GATE_KEYS_FILE the set `keys generate --gate` wrote',
      keys: 'the keys directory must hold the files `keys generate` wrote, unedited',
      audit: "--keys must be the decision service's public JWKS, not a private key",
    },
  },
  TOKEN_MISSING: {
    exit: EXIT.identity,
    path: 'step OIDC token',
    hint: 'add `oidc: true` to the step in bitbucket-pipelines.yml',
  },
  TOKEN_MALFORMED: {
    exit: EXIT.identity,
    path: 'step OIDC token',
    hint: 'do not set BITBUCKET_STEP_OIDC_TOKEN yourself; let `oidc: true` provide it',
  },
  TOKEN_EXPIRED: {
    exit: EXIT.identity,
    path: 'step OIDC token',
    hint: 're-run the step; the token Bitbucket issued has expired',
  },
  STS_AUDIENCE_MISMATCH: {
    exit: EXIT.identity,
    path: 'AWS IAM OIDC provider (audience)',
    hint: "add the token's audience as a client ID of the IAM OIDC provider for the Bitbucket issuer",
  },
  STS_TRUST_POLICY: {
    exit: EXIT.identity,
    path: 'AWS role trust policy (sub)',
    hint: 'check ROLE exists and its trust policy allows this repository: a StringLike condition on <issuer>:sub such as "{repositoryUuid}:*" (or "{repositoryUuid}:{environmentUuid}:*")',
  },
  STS_TOKEN_EXPIRED: {
    exit: EXIT.identity,
    path: 'AWS STS (token expiry)',
    hint: 're-run the step; the token expired before AWS saw it',
  },
  STS_INVALID_TOKEN: {
    exit: EXIT.identity,
    path: 'AWS IAM OIDC provider',
    hint: "create an IAM OIDC identity provider for the workspace's Bitbucket issuer URL and audience",
  },
  STS_POLICY_MALFORMED: {
    exit: EXIT.identity,
    path: 'SESSION_POLICY',
    hint: 'SESSION_POLICY must be a valid IAM policy document',
  },
  STS_POLICY_TOO_LARGE: {
    exit: EXIT.identity,
    path: 'SESSION_POLICY',
    hint: 'shorten SESSION_POLICY or use fewer SESSION_POLICY_ARNS',
  },
  STS_ROLE_UNKNOWN: {
    exit: EXIT.identity,
    path: 'ROLE',
    hint: 'ROLE must be the ARN of an existing IAM role',
  },
  STS_REGION_DISABLED: {
    exit: EXIT.identity,
    path: 'AWS_REGION',
    hint: 'activate STS in that region or choose another AWS_REGION',
  },
  STS_VALIDATION: {
    exit: EXIT.identity,
    path: 'AWS STS request',
    hint: "check SESSION_DURATION against the role's maximum session duration",
  },
  STS_UNAVAILABLE: {
    exit: EXIT.identity,
    path: 'AWS STS',
    hint: 'AWS STS did not answer in time; re-run the step, or check AWS_ENDPOINT_URL_STS',
  },
  PULSAR_UNREACHABLE: { exit: EXIT.pulsar, path: 'Pulsar connection', hint: PULSAR_HINT },
  PULSAR_AUTH: {
    exit: EXIT.pulsar,
    path: 'Pulsar authentication',
    hint: 'the broker refused the token: configure its OpenID Connect provider for the Bitbucket issuer (Pulsar 3.0.16, 4.0.9, 4.1.3 or later: older ones refuse tokens without nbf), or set PULSAR_TOKEN',
    hints: {
      serve: 'the broker refused the credential: check PULSAR_TOKEN_FILE or the OAUTH_ options',
      keys: 'the broker refused the credential: check PULSAR_TOKEN_FILE',
      onboard:
        'the broker refused the admin token: check --admin-token-file (a superuser or tenant-admin token)',
      audit: 'the broker refused the credential: check PULSAR_TOKEN_FILE',
    },
  },
  PULSAR_NOT_PERMITTED: {
    exit: EXIT.pulsar,
    path: 'Pulsar authorization',
    hint: 'grant this role produce on TOPIC and consume on REPLY_TOPIC',
    hints: {
      serve: "grant the service's role consume on TOPICS and produce on their reply topics",
      keys: 'grant this role produce on KEYS_TOPIC',
      onboard:
        "the admin token's role may not administer this tenant: use a superuser token or make the role a tenant admin",
      audit: 'grant this role consume on the audit topic',
    },
  },
  PULSAR_TOPIC_NOT_FOUND: {
    exit: EXIT.pulsar,
    path: 'Pulsar topic',
    hint: 'create the topic or enable auto-creation in its namespace',
  },
  PULSAR_PAYLOAD_TOO_LARGE: {
    exit: EXIT.pulsar,
    path: 'Pulsar message size',
    hint: 'raise webSocketMaxTextFrameSize on the broker, or shorten SESSION_POLICY',
  },
  PULSAR_TIMEOUT: { exit: EXIT.pulsar, path: 'Pulsar', hint: PULSAR_HINT },
  PULSAR_CLOSED: { exit: EXIT.pulsar, path: 'Pulsar connection', hint: PULSAR_HINT },
  PULSAR_PROTOCOL: { exit: EXIT.pulsar, path: 'Pulsar', hint: PULSAR_HINT },
  PULSAR_NATIVE_UNAVAILABLE: {
    exit: EXIT.pulsar,
    path: 'Pulsar native client',
    hint: 'use a ws:// or wss:// PULSAR_URL, or install pulsar-client',
  },
  DENIED: {
    exit: EXIT.denied,
    path: 'policy',
    hint: "see the reasons above; the decision service's policy decides who may do what",
  },
  DECISION_TIMEOUT: {
    exit: EXIT.timeout,
    path: 'decision service',
    hint: 'check that `pulsar-gate-service serve` consumes TOPIC and that REPLY_TOPIC is where it answers (its REPLY_TOPIC_TEMPLATE applied to TOPIC, default TOPIC-replies), or raise TIMEOUT',
  },
  // Gate mode (issue 14): fail closed, like a deny — nothing is written.
  GATE_TOKEN_INVALID: {
    exit: EXIT.denied,
    path: 'gate token',
    hint: 'the decision service must have GATE_ISSUER set and answer this run only; CREDENTIALS: step is the advisory mode for roles that trust Bitbucket directly',
  },
  CREDENTIALS_SHORT_LIVED: {
    exit: EXIT.identity,
    path: 'AWS credentials',
    hint: "raise SESSION_DURATION (and the role's MaxSessionDuration) or lower TIMEOUT",
  },
  // Bitbucket's REST API: the service's look-ups of verified facts (the pipe sees a signed deny).
  BITBUCKET_UNAVAILABLE: {
    exit: EXIT.denied,
    path: "Bitbucket's REST API",
    hint: "the decision service could not look the step up at Bitbucket: check its Bitbucket API settings and Bitbucket's status",
  },
  BITBUCKET_AUTH: {
    exit: EXIT.denied,
    path: "Bitbucket's REST API (the service's credential)",
    hint: "the decision service's Bitbucket access token is refused: renew it (it needs pipeline and repository read)",
  },
  BITBUCKET_NOT_FOUND: {
    exit: EXIT.denied,
    path: "Bitbucket's REST API",
    hint: 'Bitbucket does not know the environment or pipeline the step token names',
  },
  BITBUCKET_INVALID: {
    exit: EXIT.denied,
    path: "Bitbucket's REST API",
    hint: "Bitbucket's answer was not what its API documents; nothing was decided on it",
  },
  // The audit codes belong to `serve` and `audit verify`/`export`; the pipe never sees them.
  AUDIT_UNAVAILABLE: {
    exit: EXIT.denied,
    path: 'audit mirror',
    hint: 'check the audit mirrors (AUDIT_TOPIC, AUDIT_S3_BUCKET)',
  },
  AUDIT_WRITE: { exit: EXIT.denied, path: 'audit trail', hint: 'STATE_DIR must be writable' },
  AUDIT_INVALID: {
    exit: EXIT.denied,
    path: 'audit trail',
    hint: 'the trail is unreadable or broken: see the first broken link',
  },
  // A warning, not a pass: exit 4 ("not yet", as a decision still pending), so a script that
  // only accepts 0 never takes records nobody signed (issue 15 §1).
  AUDIT_UNSIGNED_TAIL: {
    exit: EXIT.timeout,
    path: 'audit trail',
    hint: 'the records after the last checkpoint are not signed yet: verify again after the next checkpoint (AUDIT_CHECKPOINT_INTERVAL)',
  },
  AUDIT_NOT_PROVEN: {
    exit: EXIT.denied,
    path: 'audit trail',
    hint: 'the trail holds no record of that request under a signed head: check the request id and the source, or prove again after the next checkpoint (AUDIT_CHECKPOINT_INTERVAL)',
  },
  AUDIT_PROOF_INVALID: {
    exit: EXIT.denied,
    path: 'inclusion proof',
    hint: 'the proof does not hold with these keys: do not rely on the decision it names',
  },
  OUTPUT_UNSAFE: {
    exit: EXIT.config,
    path: 'OUTPUT_DIR',
    hint: 'point OUTPUT_DIR at a real directory, not a link',
  },
  OUTPUT_WRITE: { exit: EXIT.config, path: 'OUTPUT_DIR', hint: 'OUTPUT_DIR must be writable' },
  // The approvers' commands (issue 16); the pipe never sees these.
  APPROVER_SIGN_IN: {
    exit: EXIT.identity,
    path: 'approver sign-in',
    hint: 'sign in again: finish the sign-in at the link shown before the code expires (APPROVER_ISSUER, APPROVER_CLIENT_ID)',
  },
  APPROVALS_UNREACHABLE: {
    exit: EXIT.config,
    path: 'approvals service',
    hint: "check --service-url: the decision service's HTTP address (where /approvals is served)",
  },
  APPROVAL_REFUSED: {
    exit: EXIT.denied,
    path: 'approval rules',
    hint: 'the service said why above: the request, your groups, or who ran the pipeline',
  },
});
