import type { JWK } from 'jose';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { typMatches } from '../jose/media-type.ts';
import { signCompact } from '../jose/sign.ts';
import { importSigningKey } from '../jose/signing-key.ts';
import { verifyCompact } from '../jose/verify.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { printable } from '../lib/printable.ts';
import { canonicalJson } from './canonical-json.ts';
import type { CheckpointEntry } from './entry.ts';

/** Explicit type (RFC 8725 §3.11), so a checkpoint can never pass for a decision or the reverse. */
export const CHECKPOINT_TYP = 'application/pulsar-gate.audit-checkpoint+jws';

type Unsigned = Omit<CheckpointEntry, 'signature'>;

export interface CheckpointSigner {
  readonly kid: string;
  sign(entry: Unsigned): Promise<CheckpointEntry>;
}

/**
 * Signs checkpoints with the decision service's key: the payload is the canonical JSON
 * (RFC 8785) of the checkpoint entry without its signature, so it commits to the trail,
 * the seq and — through `prev` — every entry before it.
 */
export async function createCheckpointSigner(privateJwk: JWK): Promise<CheckpointSigner> {
  const signing = await importSigningKey(privateJwk, 'audit checkpoint');
  const { kid } = signing;
  return Object.freeze({
    kid,
    async sign(entry: Unsigned): Promise<CheckpointEntry> {
      const payload = new TextEncoder().encode(canonicalJson(entry));
      const signature = await signCompact({ kid, typ: CHECKPOINT_TYP }, payload, signing);
      return { ...entry, signature };
    },
  });
}

/** Why a checkpoint does not hold, or undefined when it does. Pure: crypto only, no I/O. */
export async function checkpointProblem(
  entry: CheckpointEntry,
  keys: TrustedKeys,
): Promise<string | undefined> {
  const parts = await readCompact(entry.signature, MAX_COMPACT_BYTES.checkpoint, 'checkpoint signature');
  if (isCompactProblem(parts)) return parts.message;
  const { kid, typ } = parts.header;
  if (!typMatches(typ, CHECKPOINT_TYP)) return 'checkpoint signature has the wrong type';
  const key = typeof kid === 'string' ? keys.keys.get(kid) : undefined;
  if (key === undefined) return `checkpoint signed by an unknown key (kid ${printable(kid)})`;
  const verified = await verifyCompact(entry.signature, key);
  if (!verified.ok) return 'checkpoint signature does not verify';
  const { signature: _signature, ...unsigned } = entry;
  if (new TextDecoder().decode(verified.payload) !== canonicalJson(unsigned))
    return 'checkpoint signature covers other content than the entry';
  return undefined;
}
