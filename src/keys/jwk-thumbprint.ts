import { createHash } from 'node:crypto';

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: the JSON of only its
 * required members, in order, without whitespace (§3.3). A decision is bound to the
 * request key through it.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = typeof jwk.kty === 'string' ? REQUIRED[jwk.kty] : undefined;
  if (members === undefined) throw new TypeError('no thumbprint for this key type');
  const required: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string' || value === '') throw new TypeError(`JWK member ${member} is missing`);
    required[member] = value;
  }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
