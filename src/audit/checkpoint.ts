import type { JWK } from 'jose';
import { GateError } from '../errors.ts';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { typMatches } from '../jose/media-type.ts';
import { signCompact } from '../jose/sign.ts';
import { importSigningKey } from '../jose/signing-key.ts';
import { verifyCompact } from '../jose/verify.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { printable } from '../lib/printable.ts';
import { canonicalJson } from './canonical-json.ts';
import type { CheckpointEntry, GenesisEntry, SignedEntry } from './entry.ts';

/**
 * Explicit types (RFC 8725 §3.11), one per signed entry, so a checkpoint can never pass for
 * a genesis, a decision or the reverse.
 */
export const CHECKPOINT_TYP = 'application/pulsar-gate.audit-checkpoint+jws';
export const GENESIS_TYP = 'application/pulsar-gate.audit-genesis+jws';
const TYP = { checkpoint: CHECKPOINT_TYP, genesis: GENESIS_TYP } as const;

/** A checkpoint or genesis entry before it is signed; a genesis names the signer's `kid`. */
export type UnsignedEntry = Omit<CheckpointEntry, 'signature'> | Omit<GenesisEntry, 'signature'>;

/** One method for both, so the service's swappable signer (SIGHUP) swaps them together. */
export interface CheckpointSigner {
  readonly kid: string;
  sign(entry: UnsignedEntry): Promise<SignedEntry>;
}

/**
 * Signs checkpoints and genesis entries with the decision service's key: the payload is the
 * canonical JSON (RFC 8785) of the entry without its signature, so a checkpoint commits to
 * the trail, the seq and — through `prev` — every entry before it.
 */
export async function createCheckpointSigner(privateJwk: JWK): Promise<CheckpointSigner> {
  const signing = await importSigningKey(privateJwk, 'audit checkpoint');
  const { kid } = signing;
  return Object.freeze({
    kid,
    async sign(entry: UnsignedEntry): Promise<SignedEntry> {
      if (entry.type === 'genesis' && entry.kid !== kid)
        throw new GateError(
          'AUDIT_WRITE',
          `a genesis naming key ${entry.kid} cannot be signed with key ${kid}`,
        );
      const payload = new TextEncoder().encode(canonicalJson(entry));
      const signature = await signCompact({ kid, typ: TYP[entry.type] }, payload, signing);
      return { ...entry, signature };
    },
  });
}

/**
 * Why a checkpoint or genesis entry does not hold, or undefined when it does. Pure: crypto
 * only, no I/O.
 */
export async function checkpointProblem(entry: SignedEntry, keys: TrustedKeys): Promise<string | undefined> {
  const what = entry.type;
  const parts = await readCompact(entry.signature, MAX_COMPACT_BYTES.checkpoint, `${what} signature`);
  if (isCompactProblem(parts)) return parts.message;
  const { kid, typ } = parts.header;
  if (!typMatches(typ, TYP[what])) return `${what} signature has the wrong type`;
  const key = typeof kid === 'string' ? keys.keys.get(kid) : undefined;
  if (key === undefined) return `${what} signed by an unknown key (kid ${printable(kid)})`;
  if (entry.type === 'genesis' && entry.kid !== kid)
    return 'genesis names another key than the one that signed it';
  const verified = await verifyCompact(entry.signature, key);
  if (!verified.ok) return `${what} signature does not verify`;
  const { signature: _signature, ...unsigned } = entry;
  if (new TextDecoder().decode(verified.payload) !== canonicalJson(unsigned))
    return `${what} signature covers other content than the entry`;
  return undefined;
}
