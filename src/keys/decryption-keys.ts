import type { CryptoKey, JWK } from 'jose';
import { GateError } from '../errors.ts';
import { importDecryptionKey } from '../jose/encryption-key.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import { readJson } from './key-store.ts';

/** A private encryption key of the service; `notAfter` (ms) ends a rotated-out key's grace. */
export interface DecryptionKey {
  readonly kid: string;
  readonly key: CryptoKey;
  readonly notAfter?: number;
}

/**
 * The service's encryption keys (service-enc-keys.json: a JWKS of private `use: "enc"` JWKs,
 * written by `keys generate` and `keys rotate`): the current one, and the ones rotated out
 * that pipes may still have encrypted to until their `notAfter`.
 */
export interface DecryptionKeyring {
  readonly keys: ReadonlyMap<string, DecryptionKey>;
  readonly file: string;
}

/** Reads and imports the keyring; every problem is one KEYS_UNAVAILABLE / KEYS_INVALID line naming the file. */
export async function loadDecryptionKeys(file: string): Promise<DecryptionKeyring> {
  return importDecryptionKeys(await readJson(file), file);
}

/** Imports a keyring already read (`file` names it in messages). */
export async function importDecryptionKeys(json: unknown, file: string): Promise<DecryptionKeyring> {
  const jwks = isRecord(json) && Array.isArray(json.keys) ? (json.keys as unknown[]) : undefined;
  if (jwks === undefined || jwks.length === 0)
    throw new GateError(
      'KEYS_INVALID',
      `${file} is not a JWKS of encryption keys (keys generate writes one)`,
    );
  const keys = await Promise.all(
    jwks.map(async (jwk, index): Promise<DecryptionKey> => {
      const name = `${file}: ${isRecord(jwk) && typeof jwk.kid === 'string' ? `kid ${printable(jwk.kid)}` : `key #${index + 1}`}`;
      if (!isRecord(jwk)) throw new GateError('KEYS_INVALID', `${name} is not a JWK object`);
      const notAfter = jwk.notAfter === undefined ? undefined : Date.parse(String(jwk.notAfter));
      if (notAfter !== undefined && !Number.isFinite(notAfter))
        throw new GateError('KEYS_INVALID', `${name} has a "notAfter" that is not an ISO 8601 time`);
      const { kid, key } = await importDecryptionKey(jwk, name);
      return Object.freeze({ kid, key, ...(notAfter === undefined ? {} : { notAfter }) });
    }),
  );
  const byKid = new Map(keys.map((key) => [key.kid, key] as const));
  if (byKid.size !== keys.length) throw new GateError('KEYS_INVALID', `${file}: two keys share a "kid"`);
  return Object.freeze({ keys: byKid, file });
}

/**
 * The keyring after a rotation, as the announced set says (docs/formats.md "Key sets"): the
 * private half of every `use: "enc"` key the set publishes, with the set's `notAfter`. A key
 * the set no longer carries is retired and dropped, and so is one staged for a rotation whose
 * announcement failed.
 */
export function keyringFor(
  setKeys: readonly (JWK & { notAfter?: string })[],
  held: readonly JWK[],
): { keys: JWK[] } {
  const byKid = new Map(held.map((jwk) => [jwk.kid, jwk] as const));
  const keys = setKeys.flatMap((published) => {
    const own = published.use === 'enc' ? byKid.get(published.kid) : undefined;
    if (own === undefined) return [];
    const { notAfter: _old, ...plain } = own as JWK & { notAfter?: string };
    return [published.notAfter === undefined ? plain : { ...plain, notAfter: published.notAfter }];
  });
  return { keys };
}
