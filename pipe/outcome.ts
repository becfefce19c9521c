import type { ErrorCode } from '../src/errors.ts';

export const EXIT = Object.freeze({ allowed: 0, denied: 1, config: 2, identity: 3, timeout: 4, pulsar: 5 });

interface Outcome {
  readonly exit: number;
  /** The identity path that failed (P6). */
  readonly path: string;
  /** What a person needs to do about it. */
  readonly hint: string;
}

const PULSAR_HINT =
  "check PULSAR_URL, that the broker runs the WebSocket service, and the role's permissions";

/** The one table from error codes to exit codes and hints (DESIGN.md §5, P6). */
export const OUTCOMES: Readonly<Record<ErrorCode, Outcome>> = Object.freeze({
  CONFIG_INVALID: {
    exit: 2,
    path: 'pipe variables',
    hint: 'fix the variables named above in bitbucket-pipelines.yml',
  },
  KEYS_UNAVAILABLE: {
    exit: 2,
    path: 'DECISION_KEYS',
    hint: "DECISION_KEYS must point at the decision service's public JWKS (inline JSON, a file or an https URL)",
  },
  KEYS_INVALID: {
    exit: 2,
    path: 'DECISION_KEYS',
    hint: 'publish the output of `pulsar-gate keys generate` (the public JWKS) as DECISION_KEYS',
  },
  TOKEN_MISSING: {
    exit: 3,
    path: 'step OIDC token',
    hint: 'add `oidc: true` to the step in bitbucket-pipelines.yml',
  },
  TOKEN_MALFORMED: {
    exit: 3,
    path: 'step OIDC token',
    hint: 'do not set BITBUCKET_STEP_OIDC_TOKEN yourself; let `oidc: true` provide it',
  },
  TOKEN_EXPIRED: {
    exit: 3,
    path: 'step OIDC token',
    hint: 're-run the step; the token Bitbucket issued has expired',
  },
  STS_AUDIENCE_MISMATCH: {
    exit: 3,
    path: 'AWS IAM OIDC provider (audience)',
    hint: "add the token's audience as a client ID of the IAM OIDC provider for the Bitbucket issuer",
  },
  STS_TRUST_POLICY: {
    exit: 3,
    path: 'AWS role trust policy (sub)',
    hint: 'check ROLE exists and its trust policy allows this repository: a StringLike condition on <issuer>:sub such as "{repositoryUuid}:*" (or "{repositoryUuid}:{environmentUuid}:*")',
  },
  STS_TOKEN_EXPIRED: {
    exit: 3,
    path: 'AWS STS (token expiry)',
    hint: 're-run the step; the token expired before AWS saw it',
  },
  STS_INVALID_TOKEN: {
    exit: 3,
    path: 'AWS IAM OIDC provider',
    hint: "create an IAM OIDC identity provider for the workspace's Bitbucket issuer URL and audience",
  },
  STS_POLICY_MALFORMED: {
    exit: 3,
    path: 'SESSION_POLICY',
    hint: 'SESSION_POLICY must be a valid IAM policy document',
  },
  STS_POLICY_TOO_LARGE: {
    exit: 3,
    path: 'SESSION_POLICY',
    hint: 'shorten SESSION_POLICY or use fewer SESSION_POLICY_ARNS',
  },
  STS_ROLE_UNKNOWN: { exit: 3, path: 'ROLE', hint: 'ROLE must be the ARN of an existing IAM role' },
  STS_REGION_DISABLED: {
    exit: 3,
    path: 'AWS_REGION',
    hint: 'activate STS in that region or choose another AWS_REGION',
  },
  STS_VALIDATION: {
    exit: 3,
    path: 'AWS STS request',
    hint: "check SESSION_DURATION against the role's maximum session duration",
  },
  STS_UNAVAILABLE: {
    exit: 3,
    path: 'AWS STS',
    hint: 'AWS STS did not answer in time; re-run the step, or check AWS_ENDPOINT_URL_STS',
  },
  PULSAR_UNREACHABLE: { exit: 5, path: 'Pulsar connection', hint: PULSAR_HINT },
  PULSAR_AUTH: {
    exit: 5,
    path: 'Pulsar authentication',
    hint: 'the broker refused the token: configure its OpenID Connect provider for the Bitbucket issuer (Pulsar 3.0.16, 4.0.9, 4.1.3 or later: older ones refuse tokens without nbf), or set PULSAR_TOKEN',
  },
  PULSAR_NOT_PERMITTED: {
    exit: 5,
    path: 'Pulsar authorization',
    hint: 'grant this role produce on TOPIC and consume on REPLY_TOPIC',
  },
  PULSAR_TOPIC_NOT_FOUND: {
    exit: 5,
    path: 'Pulsar topic',
    hint: 'create the topic or enable auto-creation in its namespace',
  },
  PULSAR_PAYLOAD_TOO_LARGE: {
    exit: 5,
    path: 'Pulsar message size',
    hint: 'raise webSocketMaxTextFrameSize on the broker, or shorten SESSION_POLICY',
  },
  PULSAR_TIMEOUT: { exit: 5, path: 'Pulsar', hint: PULSAR_HINT },
  PULSAR_CLOSED: { exit: 5, path: 'Pulsar connection', hint: PULSAR_HINT },
  PULSAR_PROTOCOL: { exit: 5, path: 'Pulsar', hint: PULSAR_HINT },
  PULSAR_NATIVE_UNAVAILABLE: {
    exit: 5,
    path: 'Pulsar native client',
    hint: 'use a ws:// or wss:// PULSAR_URL, or install pulsar-client',
  },
  DENIED: {
    exit: 1,
    path: 'policy',
    hint: "see the reasons above; the decision service's policy decides who may do what",
  },
  DECISION_TIMEOUT: {
    exit: 4,
    path: 'decision service',
    hint: 'check that `pulsar-gate serve` consumes TOPIC and answers on REPLY_TOPIC, or raise TIMEOUT',
  },
  // The audit codes belong to the service and `audit verify`; the pipe never sees them.
  BITBUCKET_UNAVAILABLE: {
    exit: 1,
    path: "Bitbucket's REST API",
    hint: "the decision service could not look the step up at Bitbucket: check BITBUCKET_API_URL and Bitbucket's status",
  },
  BITBUCKET_AUTH: {
    exit: 1,
    path: "Bitbucket's REST API (the service's credential)",
    hint: "the decision service's Bitbucket access token is refused: renew it (it needs pipeline and repository read)",
  },
  BITBUCKET_NOT_FOUND: {
    exit: 1,
    path: "Bitbucket's REST API",
    hint: 'Bitbucket does not know the environment or pipeline the step token names',
  },
  BITBUCKET_INVALID: {
    exit: 1,
    path: "Bitbucket's REST API",
    hint: "Bitbucket's answer was not what its API documents; nothing was decided on it",
  },
  AUDIT_UNAVAILABLE: {
    exit: 1,
    path: 'audit mirror',
    hint: 'check the audit mirrors (AUDIT_TOPIC, AUDIT_S3_BUCKET)',
  },
  AUDIT_WRITE: { exit: 1, path: 'audit trail', hint: 'STATE_DIR must be writable' },
  AUDIT_INVALID: {
    exit: 1,
    path: 'audit trail',
    hint: 'the trail is unreadable or broken: see the first broken link',
  },
  OUTPUT_UNSAFE: { exit: 2, path: 'OUTPUT_DIR', hint: 'point OUTPUT_DIR at a real directory, not a link' },
  OUTPUT_WRITE: { exit: 2, path: 'OUTPUT_DIR', hint: 'OUTPUT_DIR must be writable' },
});
