import type { CryptoKey } from 'jose';

/**
 * The signature algorithms we accept, and the one key type each may be used with. An
 * allow-list: `none` (RFC 7518 §3.6) and HMAC (§3.2, which a public key would key) are never
 * on it, and the key — never the message — decides which entry applies (RFC 8725 §3.1, §3.2).
 */
export type SignatureAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'RS256' | 'PS256';

export interface KeyShape {
  readonly kty: 'EC' | 'OKP' | 'RSA';
  /** The named curve the key must be on (RFC 7518 §3.4 for ECDSA, RFC 8037 §3.1 for EdDSA). */
  readonly crv?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
}

export const KEY_SHAPES: Readonly<Record<SignatureAlgorithm, KeyShape>> = Object.freeze({
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  // RFC 8037 §3.1 defines EdDSA for Ed25519 and Ed448; we accept Ed25519 only.
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
});

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'RS256',
  'PS256',
]);

export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return SIGNATURE_ALGORITHMS.some((alg) => alg === value);
}

/** "EC P-256", "RSA": how a message names the key an algorithm needs. */
export function shapeName(alg: SignatureAlgorithm): string {
  const { kty, crv } = KEY_SHAPES[alg];
  return crv === undefined ? kty : `${kty} ${crv}`;
}

/** A key imported for exactly one algorithm: what signs or verifies, never chosen by a message. */
export interface AlgorithmKey {
  readonly alg: SignatureAlgorithm;
  readonly key: CryptoKey;
}
