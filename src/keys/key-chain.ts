import {
  parseJson,
  parseJsonBytes,
  readCompact,
  sha256Base64url,
  typMatches,
} from '../events/compact-jws.ts';
import { verifyCompact } from '../events/jws.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import { DECISION_ALGORITHMS, parseTrustedKeys, type TrustedKeys } from './trusted-keys.ts';

/** `typ` of a key-set announcement (RFC 7515 §4.1.9). */
export const KEY_SET_TYP = 'application/pulsar-gate.keyset+jws';
const MAX_KEY_SET_BYTES = 64 * 1024;

/**
 * What the pipe trusts after following the key-set chain from its pinned root (DECISION_KEYS,
 * version 0): the newest accepted set, its digest, and which of its keys may sign the next one.
 */
export interface KeyChain {
  readonly version: number;
  /** base64url SHA-256 of the accepted set's JWS; null for the pinned root. */
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
 * version, naming the current set's digest as `previous`, and signed by a current signer —
 * so a stolen retired key, a forged set or a fork off an older set never extends the chain.
 * Pure: crypto only, no I/O.
 */
export async function followKeySet(chain: KeyChain, jws: string, origin: string): Promise<ChainStep> {
  const parts = readCompact(jws, MAX_KEY_SET_BYTES, 'key set');
  if ('problem' in parts) return refuse('malformed', parts.message);
  const { alg, kid, typ, crit } = parts.header;
  if (!typMatches(typ, KEY_SET_TYP) || crit !== undefined)
    return refuse('malformed', `key set header is not a plain ${KEY_SET_TYP}`);
  if (!DECISION_ALGORITHMS.some((allowed) => allowed === alg) || typeof kid !== 'string')
    return refuse('malformed', 'key set header needs an allowed alg and a kid');
  const digest = sha256Base64url(new TextEncoder().encode(jws));
  if (digest === chain.digest) return refuse('duplicate', `key set v${chain.version} seen again`);
  // The version is read before the signature only to drop what is not news (re-announced
  // history); nothing is accepted until the signature and the link below hold.
  const claimed = parseJson(jws.split('.')[1] ?? '');
  const claimedVersion = isRecord(claimed) ? claimed.version : undefined;
  if (typeof claimedVersion === 'number' && claimedVersion <= chain.version)
    return refuse('stale', `key set v${claimedVersion} is not newer than v${chain.version}`);
  const signer = chain.trusted.keys.get(kid);
  if (signer === undefined || !chain.signers.has(kid))
    return refuse(
      'signer',
      `key set signed by kid ${printable(kid)}, not an active key of v${chain.version}`,
    );
  const verified = verifyCompact(jws, signer.key, signer.alg);
  if (!verified.ok)
    return refuse('signature', `key set signature does not verify with kid ${printable(kid)}`);
  const set = parseJsonBytes(verified.payload);
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
    trusted = parseTrustedKeys({ keys: set.keys }, `${origin} v${version}`);
  } catch (error) {
    return refuse('malformed', error instanceof Error ? error.message : 'key set keys are invalid');
  }
  const next = rootChain(trusted);
  return { ok: true, chain: Object.freeze({ ...next, version, digest }) };
}

function refuse(reason: Exclude<ChainStep, { ok: true }>['reason'], message: string): ChainStep {
  return { ok: false, reason, message };
}
