/**
 * Every failure pulsar-gate reports carries a code from this union and, where there was
 * one, the underlying cause. `cli/outcome/outcomes.ts` maps codes to exit codes and hints
 * for every command; nothing else decides how a failure ends a command.
 */
export type ErrorCode =
  // configuration (exit 2)
  | 'CONFIG_INVALID'
  // identity: the step token and AWS STS (exit 3)
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_EXPIRED'
  | 'STS_AUDIENCE_MISMATCH'
  | 'STS_TRUST_POLICY'
  | 'STS_TOKEN_EXPIRED'
  | 'STS_INVALID_TOKEN'
  | 'STS_POLICY_MALFORMED'
  | 'STS_POLICY_TOO_LARGE'
  | 'STS_ROLE_UNKNOWN'
  | 'STS_REGION_DISABLED'
  | 'STS_VALIDATION'
  | 'STS_UNAVAILABLE'
  // Pulsar (exit 5)
  | 'PULSAR_UNREACHABLE'
  | 'PULSAR_AUTH'
  | 'PULSAR_NOT_PERMITTED'
  | 'PULSAR_TOPIC_NOT_FOUND'
  | 'PULSAR_PAYLOAD_TOO_LARGE'
  | 'PULSAR_TIMEOUT'
  | 'PULSAR_CLOSED'
  | 'PULSAR_PROTOCOL'
  | 'PULSAR_NATIVE_UNAVAILABLE'
  // decision keys (exit 2: the trust root is configuration)
  | 'KEYS_UNAVAILABLE'
  | 'KEYS_INVALID'
  // Bitbucket's REST API, where the service looks facts up (the decision is a signed deny)
  | 'BITBUCKET_UNAVAILABLE'
  | 'BITBUCKET_AUTH'
  | 'BITBUCKET_NOT_FOUND'
  | 'BITBUCKET_INVALID'
  // the decision itself
  | 'DENIED'
  | 'DECISION_TIMEOUT'
  // gate mode (issue 14): an allow whose gate token this run cannot use; credentials that
  // would expire too soon to be worth handing to the rest of the step
  | 'GATE_TOKEN_INVALID'
  | 'CREDENTIALS_SHORT_LIVED'
  // the audit trail: a mirror did not take a record in time (the decision fails closed),
  // the local trail could not be written, a stored trail is unreadable or broken, a trail
  // holds only with records no checkpoint signs yet (`audit verify --allow-unsigned-tail`),
  // a request with no record under a signed head (`audit prove`), a proof that does not hold
  // (`audit verify-proof`)
  | 'AUDIT_UNAVAILABLE'
  | 'AUDIT_WRITE'
  | 'AUDIT_INVALID'
  | 'AUDIT_UNSIGNED_TAIL'
  | 'AUDIT_NOT_PROVEN'
  | 'AUDIT_PROOF_INVALID'
  // writing the step's outputs
  | 'OUTPUT_UNSAFE'
  | 'OUTPUT_WRITE'
  // approvers (issue 16): signing in at the IdP, reaching the service, an act it refused
  | 'APPROVER_SIGN_IN'
  | 'APPROVALS_UNREACHABLE'
  | 'APPROVAL_REFUSED';

export class GateError extends Error {
  override readonly name = 'GateError';
  readonly code: ErrorCode;
  /** Extra facts for the step log (never secrets): the identity path, the topic, … */
  readonly details: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isGateError(value: unknown, code?: ErrorCode): value is GateError {
  return value instanceof GateError && (code === undefined || value.code === code);
}
