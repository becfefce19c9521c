import type { JWK } from 'jose';
import { GateError } from '../errors.ts';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { payloadJson } from '../jose/json-payload.ts';
import { publicMembersOf } from '../jose/jwk-members.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { signCompact } from '../jose/sign.ts';
import { importSigningKey } from '../jose/signing-key.ts';
import { isRecord } from '../lib/is-record.ts';
import { sha256Base64url } from '../lib/sha256.ts';

/** A public key of a set; `notAfter` (ISO 8601) marks a rotated-out key in its grace period. */
export type SetKey = JWK & { readonly notAfter?: string };

/**
 * A decision-key set as the service announces it on KEYS_TOPIC (docs/formats.md "Key sets").
 * Version 0 is the pinned DECISION_KEYS; each later set names its predecessor's digest and is
 * signed by an active key of that predecessor.
 */
export interface KeySetDocument {
  readonly version: number;
  /** The previous set's `keySetDigest` (of its payload, not its JWS); null after the pinned root. */
  readonly previous: string | null;
  readonly issuedAt: string;
  /** Public JWKs; a key with `notAfter` is rotated out and verifies decisions until then. */
  readonly keys: readonly SetKey[];
}

/** The newest set the service knows: its document and digest (the root has no digest). */
export interface CurrentKeySet {
  readonly version: number;
  readonly digest: string | null;
  readonly keys: readonly SetKey[];
}

/**
 * The set after `current` with `added` as its active keys — the new signing key first, then
 * the new encryption key: keys that were active get a grace period (a signing key keeps
 * verifying decisions but can no longer sign a set; an encryption key is still decrypted by
 * the service, and pipes encrypt to the new one), keys whose grace has ended are dropped —
 * retired.
 */
export function nextKeySet(
  current: CurrentKeySet,
  added: readonly JWK[],
  now: number,
  graceMs: number,
): KeySetDocument {
  const until = new Date(now + graceMs).toISOString();
  const kept = current.keys.flatMap((key) => {
    if (added.some((next) => next.kid === key.kid)) return [];
    if (typeof key.notAfter !== 'string') return [{ ...key, notAfter: until }];
    return Date.parse(key.notAfter) > now ? [key] : [];
  });
  return {
    version: current.version + 1,
    previous: current.digest,
    issuedAt: new Date(now).toISOString(),
    keys: [...added.map(publicMembersOf), ...kept],
  };
}

/** `typ` of a key-set announcement (RFC 7515 §4.1.9, RFC 8725 §3.11). */
export const KEY_SET_TYP = 'application/pulsar-gate.keyset+jws';

/**
 * What the next set names as `previous`: base64url SHA-256 of a set's JWS Payload octets
 * (RFC 7515 §2), never of the JWS string. The signature is not part of what is chained: an
 * ECDSA signature (r, s) verifies as (r, n − s) too, and a signer can sign the same payload
 * again, so whoever may produce on KEYS_TOPIC could re-publish an equivalent set under the same
 * version with other signature bytes; chained by the JWS, that copy would fork the chain.
 */
export function keySetDigest(payload: Uint8Array): string {
  return sha256Base64url(payload);
}

export async function signKeySet(document: KeySetDocument, signingKey: JWK): Promise<string> {
  const signing = await importSigningKey(signingKey, 'key set');
  const payload = new TextEncoder().encode(JSON.stringify(document));
  return signCompact({ kid: signing.kid, typ: KEY_SET_TYP }, payload, signing);
}

/** The service's own stored set (trusted: it wrote it), with the digest the next set links to. */
export async function readOwnKeySet(jws: string, origin: string): Promise<CurrentKeySet> {
  const parts = await readCompact(jws, MAX_COMPACT_BYTES.keySet, origin);
  const document = isCompactProblem(parts) ? undefined : payloadJson(parts.payload);
  if (isCompactProblem(parts) || !isRecord(document) || !Array.isArray(document.keys))
    throw new GateError('KEYS_INVALID', `${origin} is not a key set`);
  const { version } = document;
  if (typeof version !== 'number' || !Number.isSafeInteger(version))
    throw new GateError('KEYS_INVALID', `${origin} is not a key set`);
  return { version, digest: keySetDigest(parts.payload), keys: document.keys as SetKey[] };
}
