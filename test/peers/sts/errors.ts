/**
 * STS error codes with the HTTP status AWS sends them with (AWS STS API Reference,
 * AssumeRoleWithWebIdentity "Errors" and "Common Errors"). `reason` is for `peer.calls` only:
 * AWS answers some different failures with the same message, tests still want to know why.
 */
export type StsErrorCode =
  | 'InvalidIdentityToken'
  | 'ExpiredTokenException'
  | 'IDPCommunicationError'
  | 'IDPRejectedClaim'
  | 'MalformedPolicyDocument'
  | 'PackedPolicyTooLarge'
  | 'AccessDenied'
  | 'ValidationError'
  | 'InvalidAction'
  | 'Throttling'
  | 'ServiceUnavailable'
  | 'InternalFailure';

export type FaultKind = 'Throttling' | 'ServiceUnavailable' | 'InternalFailure' | 'IDPCommunicationError';

const statusOf: Record<StsErrorCode, number> = {
  InvalidIdentityToken: 400,
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  MalformedPolicyDocument: 400,
  PackedPolicyTooLarge: 400,
  AccessDenied: 403,
  ValidationError: 400,
  InvalidAction: 400,
  Throttling: 400,
  ServiceUnavailable: 503,
  InternalFailure: 500,
};

export class StsError extends Error {
  override readonly name = 'StsError';
  readonly code: StsErrorCode;
  readonly status: number;
  readonly reason: string;

  constructor(code: StsErrorCode, message: string, reason: string = message) {
    super(message);
    this.code = code;
    this.status = statusOf[code];
    this.reason = reason;
  }

  /** AWS's `<Type>`: Sender for the caller's faults, Receiver for the service's. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** AWS's wording (two spaces included) when it cannot fetch the provider's keys. */
export const IDP_UNREACHABLE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

export function faultError(kind: FaultKind): StsError {
  const reason = `injected by failNext(${kind})`;
  switch (kind) {
    case 'Throttling':
      return new StsError('Throttling', 'Rate exceeded', reason);
    case 'ServiceUnavailable':
      return new StsError('ServiceUnavailable', 'Service is unavailable. Please try again later.', reason);
    case 'InternalFailure':
      return new StsError('InternalFailure', 'An internal error has occurred.', reason);
    case 'IDPCommunicationError':
      return new StsError('IDPCommunicationError', IDP_UNREACHABLE, reason);
  }
}

/** AWS's message for both an unknown role and a trust policy that does not match. */
export function accessDenied(reason: string): StsError {
  return new StsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', reason);
}
