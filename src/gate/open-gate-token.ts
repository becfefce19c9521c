import { GateError } from '../errors.ts';
import type { Decision } from '../events/decision.ts';
import {
  GATE_TOKEN_AUDIENCE,
  GATE_TOKEN_TYP,
  MAX_GATE_TOKEN_JWE_BYTES,
  MAX_GATE_TOKEN_SECONDS,
} from '../events/gate-token.ts';
import { decryptCompact } from '../jose/decrypt.ts';
import type { EncryptionKey } from '../jose/encryption-key.ts';
import { unverifiedClaims } from '../jose/unverified-claims.ts';

/** The gate token out of a verified allow, ready for AssumeRoleWithWebIdentity. */
export interface OpenedGateToken {
  readonly token: string;
  readonly sub: string;
  readonly aud: string;
  /** Epoch seconds. */
  readonly exp: number;
}

/**
 * Opens the gate token of a verified allow with this run's private key (issue 14). Fails
 * closed (GATE_TOKEN_INVALID) when the allow carries none, when it does not decrypt with this
 * run's key (a decision meant for another run, replayed here), or when its claims do not fit:
 * `jti` must be this decision's id, `aud` sts.amazonaws.com, and it must not have expired or
 * live longer than MAX_GATE_TOKEN_SECONDS. The signature is AWS STS's to verify (the pipe
 * does not hold the issuer's keys); the decision that carries the JWE is verified already.
 */
export async function openGateToken(
  decision: Decision,
  runKey: EncryptionKey,
  now: number,
): Promise<OpenedGateToken> {
  const refuse = (why: string) =>
    new GateError('GATE_TOKEN_INVALID', why, {
      details: { path: 'gate token', requestId: decision.requestId },
    });
  if (decision.gateTokenJwe === undefined || decision.decisionId === undefined)
    throw refuse(
      'the allow carries no gate token: the decision service is not a gate issuer (GATE_ISSUER) or predates gate mode',
    );
  const opened = await decryptCompact(decision.gateTokenJwe, {
    maxBytes: MAX_GATE_TOKEN_JWE_BYTES,
    typ: GATE_TOKEN_TYP,
    what: 'the gate token JWE',
    keyFor: async (kid) =>
      kid === runKey.kid ? runKey.key : { refused: "is not encrypted to this run's key" },
  });
  if (!opened.ok)
    throw refuse(`${opened.message} (${opened.reason}): was this decision made for another run?`);
  let token: string;
  let claims: Awaited<ReturnType<typeof unverifiedClaims>>;
  try {
    token = new TextDecoder('utf-8', { fatal: true }).decode(opened.plaintext);
    claims = await unverifiedClaims(token);
  } catch {
    throw refuse('the gate token JWE holds no JWT');
  }
  const { jti, aud, sub, exp, iat } = claims;
  if (jti !== decision.decisionId) throw refuse('the gate token names another decision (jti)');
  if (aud !== GATE_TOKEN_AUDIENCE) throw refuse(`the gate token is not for ${GATE_TOKEN_AUDIENCE}`);
  if (typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number')
    throw refuse('the gate token has no sub, iat or exp');
  if (exp - iat > MAX_GATE_TOKEN_SECONDS)
    throw refuse(`the gate token lives longer than ${MAX_GATE_TOKEN_SECONDS} s`);
  if (exp * 1000 <= now) throw refuse(`the gate token expired at ${new Date(exp * 1000).toISOString()}`);
  return { token, sub, aud, exp };
}
