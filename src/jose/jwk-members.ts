import type { JWK } from 'jose';

/**
 * JWK members that carry private or secret key material: RFC 7518 §6.2.2 (EC `d`), §6.3.2
 * (RSA `d p q dp dq qi oth`), §6.4.1 (oct `k`), RFC 8037 §2 (OKP `d`), RFC 9964 (AKP `priv`).
 */
export const PRIVATE_JWK_MEMBERS: readonly string[] = Object.freeze([
  'd',
  'p',
  'q',
  'dp',
  'dq',
  'qi',
  'oth',
  'k',
  'priv',
]);

/**
 * The members a published verification key may keep (RFC 7517 §4, RFC 7518 §6.2.1 / §6.3.1,
 * RFC 8037 §2). An allow-list, so a member we did not think of is dropped rather than published.
 */
const PUBLIC_JWK_MEMBERS: readonly string[] = Object.freeze([
  'kty',
  'crv',
  'x',
  'y',
  'n',
  'e',
  'kid',
  'alg',
  'use',
]);

export function hasPrivateMember(jwk: object): boolean {
  return PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member));
}

/** A copy of `jwk` with only public members: the shape that may go in a JWKS or a JWS header. */
export function publicMembersOf(jwk: JWK): JWK {
  const copy: Record<string, unknown> = {};
  for (const member of PUBLIC_JWK_MEMBERS) {
    const value = (jwk as Record<string, unknown>)[member];
    if (value !== undefined) copy[member] = value;
  }
  return copy as JWK;
}
