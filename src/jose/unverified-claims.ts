import type { JWTPayload } from 'jose';
import { MAX_COMPACT_BYTES } from './limits.ts';
import { loadJose } from './load.ts';

/**
 * The claims set of a compact JWT, decoded by jose and NOT verified (RFC 7519 §7.2 steps 1–2
 * and the payload's JSON). For messages and the request event only: the pipe never decides
 * anything on these claims — AWS STS and the decision service verify the token.
 * Throws a TypeError (or jose's JWTInvalid) when `token` is not one.
 */
export async function unverifiedClaims(token: string): Promise<JWTPayload> {
  if (token.length > MAX_COMPACT_BYTES.token)
    throw new TypeError(`the token is over the ${MAX_COMPACT_BYTES.token}-byte limit`);
  const { decodeJwt } = await loadJose();
  return decodeJwt(token);
}
