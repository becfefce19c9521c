import type { CryptoKey } from 'jose';
import { GateError } from '../errors.ts';
import {
  type AlgorithmKey,
  isSignatureAlgorithm,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
} from '../jose/algorithms.ts';
import { hasPrivateMember } from '../jose/jwk-members.ts';
import { importPublicKey, PRIVATE_KEY_REFUSAL } from '../jose/public-key.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import {
  type CheckedJwk,
  ecPoint,
  importEncryptionEntries,
  isEncryptionEntry,
  type TrustedEncryptionKey,
} from './trusted-encryption-keys.ts';

export interface TrustedKey extends AlgorithmKey {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  /** Imported once at load (src/jose/public-key.ts checks), so verifying does no key parsing. */
  readonly key: CryptoKey;
  /** End of a rotated-out key's grace period (ms since the epoch); absent for an active key. */
  readonly notAfter?: number;
}

/** A validated public JWKS (RFC 7517 §5): the pipe's trust root for decisions. */
export interface TrustedKeys {
  /** Signature verification keys only: a `use: "enc"` key is never among them. */
  readonly keys: ReadonlyMap<string, TrustedKey>;
  readonly ids: readonly string[];
  /** The service's encryption keys (`use: "enc"`), current one without `notAfter`. */
  readonly encryption: readonly TrustedEncryptionKey[];
  /** Where the keys came from, for messages (a URL without its query, a path, or "inline"). */
  readonly origin: string;
}

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

/**
 * Checks and imports a JWKS of verification keys: DECISION_KEYS, a key set's keys, audit keys.
 * Every key needs a unique `kid` (RFC 7517 §4.5: decisions select their key by it) and an
 * allowed `alg` (§4.4: the key, not the message, fixes the algorithm); the key itself must pass
 * src/jose's import checks. Entries with `use: "enc"` are the service's encryption keys, kept
 * apart (trusted-encryption-keys.ts): they never verify anything. Any problem is a
 * KEYS_INVALID GateError naming the key.
 */
export async function parseTrustedKeys(json: unknown, origin: string): Promise<TrustedKeys> {
  const invalid = (message: string): GateError =>
    new GateError('KEYS_INVALID', message, { details: { origin } });
  const keys = isRecord(json) ? json.keys : undefined;
  if (!Array.isArray(keys)) {
    throw invalid(`DECISION_KEYS from ${origin} must be a JWKS: {"keys": [ …public JWKs… ]}`);
  }
  if (keys.length === 0) throw invalid(`DECISION_KEYS from ${origin} holds no keys`);
  const checked = keys.map((jwk: unknown, index) => {
    const where = `DECISION_KEYS from ${origin}: ${
      isRecord(jwk) && typeof jwk.kid === 'string' ? `kid ${printable(jwk.kid)}` : `key #${index + 1}`
    }`;
    if (!isRecord(jwk)) throw invalid(`${where} is not a JWK object`);
    // Before anything else: a private key pasted by mistake is named as such.
    if (hasPrivateMember(jwk)) throw invalid(`${where} ${PRIVATE_KEY_REFUSAL}`);
    const { kid } = jwk;
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)
      throw invalid(`${where} needs a "kid" (RFC 7517 §4.5)`);
    const notAfter = jwk.notAfter === undefined ? undefined : Date.parse(String(jwk.notAfter));
    if (notAfter !== undefined && !(typeof jwk.notAfter === 'string' && Number.isFinite(notAfter)))
      throw invalid(`${where} has a "notAfter" that is not an ISO 8601 time`);
    return { jwk, kid, where, notAfter } satisfies CheckedJwk;
  });
  const seen = new Set<string>();
  for (const { kid } of checked) {
    if (seen.has(kid)) throw invalid(`DECISION_KEYS from ${origin}: kid ${printable(kid)} appears twice`);
    seen.add(kid);
  }
  const signing = checked.filter(({ jwk }) => !isEncryptionEntry(jwk));
  if (signing.length === 0) throw invalid(`DECISION_KEYS from ${origin} holds no signature keys`);
  const entries = await Promise.all(
    signing.map(async ({ jwk, kid, where, notAfter }): Promise<[string, TrustedKey]> => {
      const { alg } = jwk;
      if (!isSignatureAlgorithm(alg))
        throw invalid(`${where} needs "alg" set to one of ${SIGNATURE_ALGORITHMS.join(', ')}`);
      const key = await importPublicKey(jwk, alg, where);
      return [kid, Object.freeze({ kid, alg, key, ...(notAfter === undefined ? {} : { notAfter }) })];
    }),
  );
  const encryption = await importEncryptionEntries(
    checked.filter(({ jwk }) => isEncryptionEntry(jwk)),
    new Set(signing.map(({ jwk }) => ecPoint(jwk))),
    invalid,
  );
  return Object.freeze({
    keys: new SealedMap(entries),
    ids: Object.freeze(entries.map(([kid]) => kid)),
    encryption: Object.freeze(encryption),
    origin,
  });
}
