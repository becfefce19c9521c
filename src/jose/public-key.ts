import type { CryptoKey, JWK } from 'jose';
import { GateError } from '../errors.ts';
import { KEY_SHAPES, type SignatureAlgorithm, shapeName } from './algorithms.ts';
import { hasPrivateMember } from './jwk-members.ts';
import { loadJose } from './load.ts';

/** RFC 7518 §3.3, §3.5: "A key of size 2048 bits or larger MUST be used with these algorithms." */
export const MIN_RSA_BITS = 2048;
/** What a refused private key is told, without any member value: a leak must not be echoed. */
export const PRIVATE_KEY_REFUSAL = 'holds private key material: publish only public keys';
/** F4 (65537), the only RSA public exponent we accept; see `rsaProblem`. */
const F4 = 65_537n;

/**
 * Imports a public JWK that will verify signatures for `alg` — a pinned DECISION_KEYS key, a
 * key of an announced key set, an audit key, a request's embedded key — after every check a
 * trusted key must pass. Any refusal is a KEYS_INVALID GateError whose one-line message starts
 * with `name` (which names the key, e.g. `DECISION_KEYS from x: kid k1`) and says what is wrong;
 * no message quotes key material.
 */
export async function importPublicKey(
  jwk: Readonly<Record<string, unknown>>,
  alg: SignatureAlgorithm,
  name: string,
): Promise<CryptoKey> {
  const refuse = (what: string, cause?: unknown) =>
    new GateError('KEYS_INVALID', `${name} ${what}`, cause === undefined ? {} : { cause });
  // First, and worded without any member value: a leaked private key must not be echoed too.
  // RFC 7517 §9.2 / RFC 7518 §6.2.2, §6.3.2: a verifier has no use for private members.
  if (hasPrivateMember(jwk)) throw refuse(PRIVATE_KEY_REFUSAL);
  const shape = KEY_SHAPES[alg];
  if (jwk.kty !== shape.kty || (shape.crv !== undefined && jwk.crv !== shape.crv))
    throw refuse(`has alg ${alg} but is not an ${shapeName(alg)} key`);
  // RFC 7517 §4.2, §4.3: a key published for encryption, or not for verification, is not ours.
  if (
    (jwk.use !== undefined && jwk.use !== 'sig') ||
    (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
  )
    throw refuse('is not a signature verification key ("use"/"key_ops")');
  const { importJWK } = await loadJose();
  let key: CryptoKey;
  try {
    // Only the public members of this key type reach the parser (RFC 7518 §6.2.1, §6.3.1;
    // RFC 8037 §2). WebCrypto refuses an EC point that is not on the named curve and an OKP
    // key of the wrong length (SEC 1 §3.2.2 public key validation happens at import).
    const imported = await importJWK(publicMembers(jwk, shape.kty), alg);
    if (imported instanceof Uint8Array || imported.type !== 'public') throw new TypeError('not a public key');
    key = imported;
  } catch (cause) {
    // The cause is kept: jose's and WebCrypto's import errors never quote the key.
    throw refuse(`is not a valid ${alg} public key`, cause);
  }
  const problem = shape.kty === 'RSA' ? rsaProblem(key) : undefined;
  if (problem !== undefined) throw refuse(problem);
  return key;
}

function publicMembers(jwk: Readonly<Record<string, unknown>>, kty: 'EC' | 'OKP' | 'RSA'): JWK {
  const names = kty === 'RSA' ? ['n', 'e'] : kty === 'EC' ? ['crv', 'x', 'y'] : ['crv', 'x'];
  const members: Record<string, unknown> = { kty };
  for (const member of names) members[member] = jwk[member];
  return members;
}

/**
 * What is wrong with an imported RSA key, read from what WebCrypto made of it (not from our own
 * parse of `n`, `e`): a modulus under 2048 bits, or any exponent but 65537. A small exponent
 * is how a "trusted" key forges for everyone: with e = 1, s^e mod n = s, so the padded message
 * itself (RFC 8017 §9.2) verifies as its own signature, and no private key is needed at all.
 */
function rsaProblem(key: CryptoKey): string | undefined {
  const algorithm: object = key.algorithm;
  const bits =
    'modulusLength' in algorithm && typeof algorithm.modulusLength === 'number' ? algorithm.modulusLength : 0;
  if (bits < MIN_RSA_BITS) return `is an RSA key of ${bits} bits, shorter than ${MIN_RSA_BITS}`;
  const exponent =
    'publicExponent' in algorithm && algorithm.publicExponent instanceof Uint8Array
      ? algorithm.publicExponent.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n)
      : 0n;
  if (exponent !== F4) return `has RSA public exponent ${exponent}, not 65537`;
  return undefined;
}
