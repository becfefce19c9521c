import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { GateError } from '../errors.ts';
import { printable } from '../lib/printable.ts';
import { hasPrivateMember } from '../jose/jwk-members.ts';

/** Algorithms a decision may be signed with (RFC 7518 §3.1, RFC 8037 §3.1). No HMAC, no `none`. */
export type DecisionAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256';
export const DECISION_ALGORITHMS: readonly DecisionAlgorithm[] = Object.freeze([
  'ES256',
  'ES384',
  'EdDSA',
  'RS256',
  'PS256',
]);

export interface TrustedKey {
  readonly kid: string;
  readonly alg: DecisionAlgorithm;
  /** Imported once at load, so verifying a message does no key parsing. */
  readonly key: KeyObject;
  /** End of a rotated-out key's grace period (ms since the epoch); absent for an active key. */
  readonly notAfter?: number;
}

/** A validated public JWKS (RFC 7517 §5): the pipe's trust root for decisions. */
export interface TrustedKeys {
  readonly keys: ReadonlyMap<string, TrustedKey>;
  readonly ids: readonly string[];
  /** Where the keys came from, for messages (a URL without its query, a path, or "inline"). */
  readonly origin: string;
}

/** How each algorithm's key must look (RFC 7518 §3.4, §3.3, §3.5; RFC 8037 §3.1). */
const KEY_SHAPES: Readonly<Record<DecisionAlgorithm, { kty: string; crv?: string }>> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
};

/** Same map as a Map, but refusing writes: the trust root must not change after it is checked. */
class SealedMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [key, value] of entries) super.set(key, value);
  }
  override set(): this {
    throw new TypeError('trusted keys are read-only');
  }
  override delete(): boolean {
    throw new TypeError('trusted keys are read-only');
  }
  override clear(): void {
    throw new TypeError('trusted keys are read-only');
  }
}

export function parseTrustedKeys(json: unknown, origin: string): TrustedKeys {
  const invalid = (message: string): GateError =>
    new GateError('KEYS_INVALID', message, { details: { origin } });
  const keys = isObject(json) ? json.keys : undefined;
  if (!Array.isArray(keys)) {
    throw invalid(`DECISION_KEYS from ${origin} must be a JWKS: {"keys": [ …public JWKs… ]}`);
  }
  if (keys.length === 0) throw invalid(`DECISION_KEYS from ${origin} holds no keys`);
  const entries: [string, TrustedKey][] = [];
  keys.forEach((jwk: unknown, index) => {
    const where =
      isObject(jwk) && typeof jwk.kid === 'string' ? `kid ${printable(jwk.kid)}` : `key #${index + 1}`;
    if (!isObject(jwk)) throw invalid(`DECISION_KEYS from ${origin}: ${where} is not a JWK object`);
    // Checked first and worded without any member value: a leaked private key must not be echoed too.
    if (hasPrivateMember(jwk)) {
      throw invalid(`DECISION_KEYS holds a private key (${where}): publish only public keys`);
    }
    const { kid, alg } = jwk;
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) {
      throw invalid(`DECISION_KEYS from ${origin}: ${where} needs a "kid" (RFC 7517 §4.5)`);
    }
    if (entries.some(([known]) => known === kid)) {
      throw invalid(`DECISION_KEYS from ${origin}: kid ${printable(kid)} appears twice`);
    }
    if (!DECISION_ALGORITHMS.includes(alg as DecisionAlgorithm)) {
      throw invalid(
        `DECISION_KEYS from ${origin}: ${where} needs "alg" set to one of ${DECISION_ALGORITHMS.join(', ')}`,
      );
    }
    const notAfter = jwk.notAfter === undefined ? undefined : Date.parse(String(jwk.notAfter));
    if (notAfter !== undefined && !(typeof jwk.notAfter === 'string' && Number.isFinite(notAfter))) {
      throw invalid(`DECISION_KEYS from ${origin}: ${where} has a "notAfter" that is not an ISO 8601 time`);
    }
    entries.push([
      kid,
      {
        kid,
        alg: alg as DecisionAlgorithm,
        key: importPublic(jwk, alg as DecisionAlgorithm, where, invalid),
        ...(notAfter === undefined ? {} : { notAfter }),
      },
    ]);
  });
  const map = new SealedMap(entries);
  return Object.freeze({ keys: map, ids: Object.freeze(entries.map(([kid]) => kid)), origin });
}

function importPublic(
  jwk: Record<string, unknown>,
  alg: DecisionAlgorithm,
  where: string,
  invalid: (message: string) => GateError,
): KeyObject {
  const shape = KEY_SHAPES[alg];
  if (jwk.kty !== shape.kty || (shape.crv !== undefined && jwk.crv !== shape.crv)) {
    const expected = shape.crv === undefined ? shape.kty : `${shape.kty} ${shape.crv}`;
    throw invalid(`DECISION_KEYS: ${where} has alg ${alg} but is not an ${expected} key`);
  }
  // RFC 7517 §4.2 / §4.3: a key published for encryption, or not for verification, is not ours to use.
  if (
    (jwk.use !== undefined && jwk.use !== 'sig') ||
    (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify'))
  ) {
    throw invalid(`DECISION_KEYS: ${where} is not a signature verification key ("use"/"key_ops")`);
  }
  let key: KeyObject;
  try {
    // Only the public members of this key type reach the parser (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2).
    const members: JsonWebKey = { kty: shape.kty };
    for (const name of shape.kty === 'RSA' ? ['n', 'e'] : ['crv', 'x', 'y']) members[name] = jwk[name];
    key = createPublicKey({ key: members, format: 'jwk' });
  } catch {
    throw invalid(`DECISION_KEYS: ${where} is not a valid ${alg} public key`);
  }
  // RFC 7518 §3.3 / §3.5: RSA keys below 2048 bits are not acceptable.
  const modulusLength = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (shape.kty === 'RSA' && !(modulusLength >= 2048)) {
    throw invalid(`DECISION_KEYS: ${where} is an RSA key shorter than 2048 bits`);
  }
  return key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
