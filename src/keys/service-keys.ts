import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { GateError } from '../errors.ts';
import { ENCRYPTION_CURVE, ENCRYPTION_USE, KEY_MANAGEMENT_ALG } from '../jose/encryption-algorithms.ts';
import { publicMembersOf } from '../jose/jwk-members.ts';
import { jwkThumbprint } from '../jose/thumbprint.ts';

export type ServiceKeyAlgorithm = 'ES256' | 'EdDSA';

export interface ServiceKey {
  /** The decision service's signing key. Secret: store it as a secured variable, never log it. */
  privateJwk: JWK;
  /** Its private encryption key: what decrypts the step tokens pipes send. Secret too. */
  encryptionJwk: JWK;
  /** What the pipe's DECISION_KEYS should hold: the signing key's and the encryption key's public halves. */
  publicJwks: { keys: JWK[] };
}

/**
 * A new decision-signing key and a new encryption key (issue 13: the step token travels
 * encrypted to the service). Each `kid` is the RFC 7638 thumbprint, so it names the key
 * material itself and two different keys can never share one; `use`/`alg` pin each key to one
 * purpose and one algorithm (RFC 7517 §4.2, §4.4).
 */
export async function generateServiceKey(options: { alg?: ServiceKeyAlgorithm } = {}): Promise<ServiceKey> {
  const alg = options.alg ?? 'ES256';
  const [privateJwk, encryptionJwk] = await Promise.all([
    privateJwkFor(alg, {}, { alg, use: 'sig' }),
    // RFC 7518 §4.6: ECDH-ES+A256KW on P-256, never the signing key's pair (RFC 8725 §3.12).
    privateJwkFor(
      KEY_MANAGEMENT_ALG,
      { crv: ENCRYPTION_CURVE },
      { alg: KEY_MANAGEMENT_ALG, use: ENCRYPTION_USE },
    ),
  ]);
  return { privateJwk, encryptionJwk, publicJwks: publicJwksOf([privateJwk, encryptionJwk]) };
}

/**
 * A new gate-issuer key set (issue 14): a current ES256 key that signs gate tokens and a next
 * one, published from the start so the first rotation needs no wait. Neither is ever the
 * decision-signing key: one key, one purpose (RFC 8725 §3.12; docs/security.md).
 */
export async function generateGateKeySet(): Promise<{ current: JWK; next: JWK; retired: [] }> {
  const [current, next] = await Promise.all([generateGateKey(), generateGateKey()]);
  return { current, next, retired: [] };
}

export function generateGateKey(): Promise<JWK> {
  return privateJwkFor('ES256', {}, { alg: 'ES256', use: 'sig' });
}

async function privateJwkFor(generate: string, options: { crv?: string }, labels: JWK): Promise<JWK> {
  const { privateKey } = await generateKeyPair(generate, { extractable: true, ...options });
  const { ext: _ext, key_ops: _keyOps, ...exported } = await exportJWK(privateKey);
  // The thumbprint covers only the required public members (RFC 7638 §3.2), so `d` never enters it.
  const kid = await jwkThumbprint(publicMembersOf(exported));
  return { ...exported, kid, ...labels };
}

/**
 * The public JWKS for a set of service keys. Rotation publishes old and new together, so a
 * pipe verifies decisions from either while the service switches (RFC 7517 §5).
 */
export function publicJwksOf(privateJwks: readonly JWK[]): { keys: JWK[] } {
  const keys = privateJwks.map((jwk, index) => {
    if (typeof jwk.kid !== 'string' || jwk.kid === '') {
      throw new GateError(
        'KEYS_INVALID',
        `service key #${index + 1} has no "kid": a published key needs one`,
      );
    }
    return publicMembersOf(jwk);
  });
  if (new Set(keys.map((key) => key.kid)).size !== keys.length) {
    throw new GateError('KEYS_INVALID', 'two service keys share a "kid"');
  }
  return { keys };
}
