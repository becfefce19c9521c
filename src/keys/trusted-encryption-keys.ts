import { GateError } from '../errors.ts';
import { ENCRYPTION_USE, KEY_MANAGEMENT_ALG } from '../jose/encryption-algorithms.ts';
import { type EncryptionKey, importEncryptionKey } from '../jose/encryption-key.ts';
import { printable } from '../lib/printable.ts';

/** The service's published encryption key; `notAfter` marks one rotated out (ms since the epoch). */
export interface TrustedEncryptionKey extends EncryptionKey {
  readonly notAfter?: number;
}

/** A JWK of a JWKS as parseTrustedKeys has checked it so far. */
export interface CheckedJwk {
  readonly jwk: Readonly<Record<string, unknown>>;
  readonly kid: string;
  readonly where: string;
  readonly notAfter: number | undefined;
}

/** RFC 7517 §4.2: a `use: "enc"` entry is the service's encryption key, never a verification key. */
export const isEncryptionEntry = (jwk: Readonly<Record<string, unknown>>): boolean =>
  jwk.use === ENCRYPTION_USE;

/**
 * Imports the encryption entries of a JWKS. At most one may be current (no `notAfter`): a pipe
 * must never have to guess which key the service reads. No entry may reuse a signature key's
 * EC point (RFC 8725 §3.12: one key, one purpose), whatever its `kid` says.
 */
export async function importEncryptionEntries(
  entries: readonly CheckedJwk[],
  signaturePoints: ReadonlySet<string>,
  invalid: (message: string) => GateError,
): Promise<readonly TrustedEncryptionKey[]> {
  const current = entries.filter((entry) => entry.notAfter === undefined);
  if (current.length > 1)
    throw invalid(
      `${current[0]?.where ?? 'DECISION_KEYS'}: ${current.length} current encryption keys, at most one may be`,
    );
  return Promise.all(
    entries.map(async ({ jwk, kid, where, notAfter }) => {
      if (signaturePoints.has(ecPoint(jwk)))
        throw invalid(`${where} is the same key as a signature key: a key has one use`);
      const { key } = await importEncryptionKey(jwk, where);
      return Object.freeze({ kid, key, ...(notAfter === undefined ? {} : { notAfter }) });
    }),
  );
}

/** An EC or OKP key's public point, to compare keys across uses whatever their `kid`. */
export function ecPoint(jwk: Readonly<Record<string, unknown>>): string {
  return `${String(jwk.crv)}:${String(jwk.x)}:${String(jwk.y)}`;
}

/**
 * The one key the pipe encrypts the step token to: the current (not rotated-out) encryption
 * key of the newest decision keys it trusts. None is a configuration error (exit 2): the
 * service published its keys with a version that did not encrypt, or the JWKS was edited.
 */
export function currentEncryptionKey(trusted: {
  readonly encryption: readonly TrustedEncryptionKey[];
  readonly origin: string;
}): TrustedEncryptionKey {
  const [current, ...more] = trusted.encryption.filter((key) => key.notAfter === undefined);
  if (current === undefined || more.length > 0)
    throw new GateError(
      'KEYS_INVALID',
      `DECISION_KEYS from ${printable(trusted.origin, 200)} holds no current encryption key (use "${ENCRYPTION_USE}", alg ${KEY_MANAGEMENT_ALG}): the step token would travel in clear`,
      { details: { origin: trusted.origin } },
    );
  return current;
}
