import { isSignatureAlgorithm } from '../jose/algorithms.ts';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { payloadJson } from '../jose/json-payload.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { typMatches } from '../jose/media-type.ts';
import { verifyCompact } from '../jose/verify.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import { KEY_SET_TYP, keySetDigest } from './key-set.ts';
import { parseTrustedKeys, type TrustedKeys } from './trusted-keys.ts';

/**
 * What the pipe trusts after following the key-set chain from its pinned root (DECISION_KEYS,
 * version 0): the newest accepted set, its digest, and which of its keys may sign the next one.
 */
export interface KeyChain {
  readonly version: number;
  /** keySetDigest of the accepted set's payload (key-set.ts); null for the pinned root. */
  readonly digest: string | null;
  readonly trusted: TrustedKeys;
  /** Keys that may sign the next set: active ones, never a key in its grace period. */
  readonly signers: ReadonlySet<string>;
}

export type ChainStep =
  | { readonly ok: true; readonly chain: KeyChain }
  | {
      readonly ok: false;
      readonly reason: 'duplicate' | 'stale' | 'gap' | 'fork' | 'signer' | 'signature' | 'malformed';
      readonly message: string;
    };

export function rootChain(trusted: TrustedKeys): KeyChain {
  const signers = new Set(trusted.ids.filter((kid) => trusted.keys.get(kid)?.notAfter === undefined));
  return Object.freeze({ version: 0, digest: null, trusted, signers });
}

/**
 * Follows one announced key set (docs/formats.md "Key sets"). Accepted only as the next
 * version, naming the current set's payload digest as `previous`, and signed by a current
 * signer — so a stolen retired key, a forged set, a fork off an older set or a re-signed copy
 * of a set (another signature over the same payload) never extends or forks the chain.
 * Pure: crypto only, no I/O.
 */
export async function followKeySet(chain: KeyChain, jws: string, origin: string): Promise<ChainStep> {
  const parts = await readCompact(jws, MAX_COMPACT_BYTES.keySet, 'key set');
  if (isCompactProblem(parts)) return refuse('malformed', parts.message);
  const { alg, kid, typ, crit } = parts.header;
  if (!typMatches(typ, KEY_SET_TYP) || crit !== undefined)
    return refuse('malformed', `key set header is not a plain ${KEY_SET_TYP}`);
  if (!isSignatureAlgorithm(alg) || typeof kid !== 'string')
    return refuse('malformed', 'key set header needs an allowed alg and a kid');
  // The payload is read before the signature only to drop what is not news: the set we follow
  // again (under any signature: the digest is of the payload), or re-announced history.
  // Nothing is accepted until the signature and the link below hold.
  if (keySetDigest(parts.payload) === chain.digest)
    return refuse('duplicate', `key set v${chain.version} seen again`);
  const claimed = payloadJson(parts.payload);
  const claimedVersion = isRecord(claimed) ? claimed.version : undefined;
  if (typeof claimedVersion === 'number' && claimedVersion <= chain.version)
    return refuse('stale', `key set v${claimedVersion} is not newer than v${chain.version}`);
  const signer = chain.trusted.keys.get(kid);
  if (signer === undefined || !chain.signers.has(kid))
    return refuse(
      'signer',
      `key set signed by kid ${printable(kid)}, not an active key of v${chain.version}`,
    );
  const verified = await verifyCompact(jws, signer);
  if (!verified.ok)
    return refuse('signature', `key set signature does not verify with kid ${printable(kid)}`);
  const set = payloadJson(verified.payload);
  if (!isRecord(set) || !Number.isSafeInteger(set.version) || !Array.isArray(set.keys))
    return refuse('malformed', 'key set payload needs version and keys');
  const version = set.version as number;
  if (version !== chain.version + 1) return refuse('gap', `key set v${version} skips v${chain.version + 1}`);
  if ((set.previous ?? null) !== chain.digest)
    return refuse(
      'fork',
      `key set v${version} does not continue v${chain.version} (previous digest differs)`,
    );
  let trusted: TrustedKeys;
  try {
    trusted = await parseTrustedKeys({ keys: set.keys }, `${origin} v${version}`);
  } catch (error) {
    return refuse('malformed', error instanceof Error ? error.message : 'key set keys are invalid');
  }
  const next = rootChain(trusted);
  return { ok: true, chain: Object.freeze({ ...next, version, digest: keySetDigest(verified.payload) }) };
}

function refuse(reason: Exclude<ChainStep, { ok: true }>['reason'], message: string): ChainStep {
  return { ok: false, reason, message };
}
