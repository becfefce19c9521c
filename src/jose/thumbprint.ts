import type { JWK } from 'jose';
import { loadJose } from './load.ts';

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key, by jose: the hash of only
 * the required members of its key type, in lexicographic order, without whitespace (§3.2, §3.3).
 * A decision is bound to the request key through it; a service key's `kid` is its thumbprint.
 */
export async function jwkThumbprint(jwk: JWK): Promise<string> {
  const { calculateJwkThumbprint } = await loadJose();
  return calculateJwkThumbprint(jwk, 'sha256');
}
