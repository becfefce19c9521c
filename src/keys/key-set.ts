import { CompactSign, importJWK, type JWK } from 'jose';
import { GateError } from '../errors.ts';
import { parseJson, sha256Base64url } from '../events/compact-jws.ts';
import { isRecord } from '../lib/is-record.ts';
import { publicMembersOf } from '../jose/jwk-members.ts';
import { KEY_SET_TYP } from './key-chain.ts';

/** A public key of a set; `notAfter` (ISO 8601) marks a rotated-out key in its grace period. */
export type SetKey = JWK & { readonly notAfter?: string };

/**
 * A decision-key set as the service announces it on KEYS_TOPIC (docs/formats.md "Key sets").
 * Version 0 is the pinned DECISION_KEYS; each later set names its predecessor's digest and is
 * signed by an active key of that predecessor.
 */
export interface KeySetDocument {
  readonly version: number;
  /** base64url SHA-256 of the previous set's JWS; null after the pinned root. */
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
 * The set after `current` with `added` as its one active key: keys that were active get a
 * grace period (they keep verifying decisions, but can no longer sign a set), keys whose
 * grace has ended are dropped — retired.
 */
export function nextKeySet(current: CurrentKeySet, added: JWK, now: number, graceMs: number): KeySetDocument {
  const until = new Date(now + graceMs).toISOString();
  const kept = current.keys.flatMap((key) => {
    if (key.kid === added.kid) return [];
    if (typeof key.notAfter !== 'string') return [{ ...key, notAfter: until }];
    return Date.parse(key.notAfter) > now ? [key] : [];
  });
  return {
    version: current.version + 1,
    previous: current.digest,
    issuedAt: new Date(now).toISOString(),
    keys: [publicMembersOf(added), ...kept],
  };
}

export async function signKeySet(document: KeySetDocument, signingKey: JWK): Promise<string> {
  const { kid, alg } = signingKey;
  if (typeof kid !== 'string' || typeof alg !== 'string')
    throw new GateError('KEYS_INVALID', 'the signing key needs "kid" and "alg"');
  const key = await importJWK(signingKey, alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(document)))
    .setProtectedHeader({ alg, kid, typ: KEY_SET_TYP })
    .sign(key);
}

/** The service's own stored set (trusted: it wrote it), with the digest the next set links to. */
export function readOwnKeySet(jws: string, origin: string): CurrentKeySet {
  const document = parseJson(jws.split('.')[1] ?? '');
  if (!isRecord(document) || !Number.isSafeInteger(document.version) || !Array.isArray(document.keys))
    throw new GateError('KEYS_INVALID', `${origin} is not a key set`);
  return {
    version: document.version as number,
    digest: sha256Base64url(new TextEncoder().encode(jws)),
    keys: document.keys as SetKey[],
  };
}
