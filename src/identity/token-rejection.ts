/**
 * Why a step token was refused, as a value the decision service can log and answer with.
 * Messages are built here from fixed text plus claim NAMES and dates; they never carry the
 * token, and attacker-chosen values (an unknown `iss`, a wrong `aud`) are JSON-quoted and
 * cut short so a crafted claim cannot forge log lines (P5, docs/security.md).
 */
import { errors } from 'jose';

export type RejectionReason =
  | 'malformed'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'signature'
  | 'unknown-key'
  | 'algorithm'
  | 'missing-claim'
  | 'keys-unavailable';

export interface TokenRejection {
  readonly ok: false;
  readonly reason: RejectionReason;
  /** One line, safe to print; never the token. */
  readonly message: string;
}

/** The issuer's keys could not be obtained (discovery or JWKS): the verifier fails closed (P4). */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError';
}

export function reject(reason: RejectionReason, message: string): TokenRejection {
  return Object.freeze({ ok: false, reason, message: oneLine(message) });
}

/** A claim value an attacker may have chosen, quoted and bounded for a log line. */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A library error's own message (never built from the token), for keys-unavailable. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = error.cause instanceof Error && 'code' in error.cause ? ` (${String(error.cause.code)})` : '';
  return `${error.name}: ${error.message}${code}`;
}

/** Maps what jose throws from jwtVerify to a reason (RFC 7519 §4.1, RFC 8725 §3). */
export function rejectionFor(error: unknown): TokenRejection {
  if (error instanceof KeysUnavailableError) return reject('keys-unavailable', error.message);
  if (error instanceof errors.JWTExpired) {
    const exp = error.payload.exp;
    const when = typeof exp === 'number' ? ` at ${new Date(exp * 1000).toISOString()}` : '';
    return reject('expired', `the step token expired${when}`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) return claimRejection(error);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return reject('signature', 'the step token signature does not verify with the issuer key it names');
  if (error instanceof errors.JWKSNoMatchingKey)
    return reject('unknown-key', 'the step token names a key (kid) the issuer does not publish');
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return reject('unknown-key', 'several issuer keys match the step token and it names none of them');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return reject('algorithm', 'the step token is signed with an algorithm that is not allowed');
  return reject('malformed', 'the step token is not a well-formed signed JWT');
}

function claimRejection(error: InstanceType<typeof errors.JWTClaimValidationFailed>): TokenRejection {
  const { claim, reason, payload } = error;
  if (reason === 'missing') return reject('missing-claim', `the step token lacks the "${claim}" claim`);
  switch (claim) {
    case 'aud':
      return reject('audience', `the step token audience ${quote(payload.aud)} is not allowed`);
    case 'iss':
      return reject('issuer', `the step token issuer ${quote(payload.iss)} is not allowed`);
    case 'nbf':
    case 'iat':
      if (reason === 'check_failed')
        return reject('not-yet-valid', `the step token is not valid yet (${claim})`);
  }
  return reject('malformed', `the step token has an invalid "${claim}" claim`);
}

function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ');
}
