import type { CryptoKey, JWK } from 'jose';
import { GateError } from '../errors.ts';
import { ENCRYPTION_CURVE, ENCRYPTION_USE, KEY_MANAGEMENT_ALG } from './encryption-algorithms.ts';
import { hasPrivateMember } from './jwk-members.ts';
import { loadJose } from './load.ts';
import { PRIVATE_KEY_REFUSAL } from './public-key.ts';

/** A key imported for ECDH-ES+A256KW only, with the `kid` a JWE names it by (RFC 7516 §4.1.6). */
export interface EncryptionKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

/** What a key may be used for besides ECDH (RFC 7517 §4.3): nothing that signs or verifies. */
const ECDH_OPS: readonly string[] = ['deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'];

/**
 * The checks both halves of an encryption key pass. Key separation (RFC 7517 §4.2, RFC 8725
 * §3.12 on key reuse): a key is ours to encrypt to only when it says `use: "enc"` and
 * `alg: "ECDH-ES+A256KW"` — a signature key (`use: "sig"`, or an ES256 key without `use`) is
 * never used to encrypt, and src/jose/public-key.ts never lets an `enc` key verify.
 */
function shapeProblem(jwk: Readonly<Record<string, unknown>>): string | undefined {
  if (jwk.use !== ENCRYPTION_USE) return `is not an encryption key ("use" must be "${ENCRYPTION_USE}")`;
  if (jwk.alg !== KEY_MANAGEMENT_ALG) return `needs "alg" set to ${KEY_MANAGEMENT_ALG}`;
  if (jwk.kty !== 'EC' || jwk.crv !== ENCRYPTION_CURVE) return `is not an EC ${ENCRYPTION_CURVE} key`;
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && jwk.key_ops.every((op) => ECDH_OPS.includes(op)))
  )
    return 'has "key_ops" other than key agreement';
  if (typeof jwk.kid !== 'string' || jwk.kid === '' || jwk.kid.length > 256)
    return 'needs a "kid" (RFC 7517 §4.5): a JWE names its key by it';
  return undefined;
}

/**
 * Imports a published encryption key (a `use: "enc"` entry of DECISION_KEYS or of a key set):
 * the public key the pipe encrypts the step token to. Refusals are KEYS_INVALID, one line,
 * starting with `name`, never quoting key material.
 */
export async function importEncryptionKey(
  jwk: Readonly<Record<string, unknown>>,
  name: string,
): Promise<EncryptionKey> {
  const refuse = (what: string, cause?: unknown) =>
    new GateError('KEYS_INVALID', `${name} ${what}`, cause === undefined ? {} : { cause });
  if (hasPrivateMember(jwk)) throw refuse(PRIVATE_KEY_REFUSAL);
  const problem = shapeProblem(jwk);
  if (problem !== undefined) throw refuse(problem);
  const { importJWK } = await loadJose();
  try {
    // Only the public members reach the parser; WebCrypto refuses a point off the curve
    // (SEC 1 §3.2.2), which is what keeps an invalid-curve key out.
    const key = await importJWK(
      { kty: 'EC', crv: ENCRYPTION_CURVE, x: jwk.x, y: jwk.y } as JWK,
      KEY_MANAGEMENT_ALG,
    );
    if (key instanceof Uint8Array || key.type !== 'public') throw new TypeError('not a public key');
    return { kid: jwk.kid as string, key };
  } catch (cause) {
    throw refuse(`is not a valid ${KEY_MANAGEMENT_ALG} public key`, cause);
  }
}

/**
 * Imports the service's private encryption key (non-extractable): what decrypts the step
 * tokens sent to it. The import error is not kept: it could describe the key material.
 */
export async function importDecryptionKey(
  jwk: Readonly<Record<string, unknown>>,
  name: string,
): Promise<EncryptionKey> {
  const refuse = (what: string) => new GateError('KEYS_INVALID', `${name} ${what}`);
  const problem = shapeProblem(jwk);
  if (problem !== undefined) throw refuse(problem);
  if (typeof jwk.d !== 'string') throw refuse('is not a private key (no "d")');
  const members: Record<string, unknown> = { kty: 'EC', crv: ENCRYPTION_CURVE, x: jwk.x, y: jwk.y, d: jwk.d };
  const { importJWK } = await loadJose();
  try {
    const key = await importJWK(members as JWK, KEY_MANAGEMENT_ALG, { extractable: false });
    if (key instanceof Uint8Array || key.type !== 'private') throw new TypeError('not a private key');
    return { kid: jwk.kid as string, key };
  } catch {
    throw refuse(`is not a valid ${KEY_MANAGEMENT_ALG} private key`);
  }
}
