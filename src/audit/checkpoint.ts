import { CompactSign, type JWK } from 'jose';
import { importSigningKey } from '../events/decision-signing.ts';
import { verifyCompact } from '../events/jws.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
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
  const { kid, alg, key } = await importSigningKey(privateJwk, 'audit checkpoint');
  return Object.freeze({
    kid,
    async sign(entry: Unsigned): Promise<CheckpointEntry> {
      const payload = new TextEncoder().encode(canonicalJson(entry));
      const signature = await new CompactSign(payload)
        .setProtectedHeader({ alg, kid, typ: CHECKPOINT_TYP })
        .sign(key);
      return { ...entry, signature };
    },
  });
}

/** Why a checkpoint does not hold, or undefined when it does. */
export async function checkpointProblem(
  entry: CheckpointEntry,
  keys: TrustedKeys,
): Promise<string | undefined> {
  const [header] = entry.signature.split('.');
  let kid: unknown;
  let typ: unknown;
  try {
    ({ kid, typ } = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >);
  } catch {
    return 'checkpoint signature is not a JWS';
  }
  if (typ !== CHECKPOINT_TYP) return 'checkpoint signature has the wrong type';
  const key = typeof kid === 'string' ? keys.keys.get(kid) : undefined;
  if (!key) return `checkpoint signed by an unknown key (kid ${String(kid).slice(0, 64)})`;
  const verified = verifyCompact(entry.signature, key.key, key.alg);
  if (!verified.ok) return 'checkpoint signature does not verify';
  const { signature: _signature, ...unsigned } = entry;
  if (new TextDecoder().decode(verified.payload) !== canonicalJson(unsigned))
    return 'checkpoint signature covers other content than the entry';
  return undefined;
}
