import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import { type CheckpointSigner, createCheckpointSigner } from '../audit/checkpoint.ts';
import { createDecisionSigner, type DecisionSigner } from '../events/decision-signing.ts';
import { storedKeySets } from '../keys/key-store.ts';
import type { Transport } from '../transport/transport.ts';

/** Both signers the service's key drives: decisions, and the audit trail's checkpoints. */
export interface ServiceSigners {
  readonly decision: DecisionSigner;
  readonly checkpoint: CheckpointSigner;
}

/** Both signers from one private JWK; either fails, neither is made (never half-loaded). */
export async function signersFor(privateJwk: JWK): Promise<ServiceSigners> {
  const [decision, checkpoint] = await Promise.all([
    createDecisionSigner(privateJwk),
    createCheckpointSigner(privateJwk),
  ]);
  return { decision, checkpoint };
}

export async function loadSigners(file: string): Promise<ServiceSigners> {
  return signersFor(JSON.parse(await readFile(file, 'utf8')));
}

interface Signer<I, O> {
  readonly kid: string;
  sign(input: I): Promise<O>;
}

/**
 * A signer that can be swapped whole on SIGHUP after `keys rotate`: what holds the port
 * always signs with the current key, and sees the new key's kid with it.
 */
export function swappableSigner<I, O>(
  initial: Signer<I, O>,
): { readonly port: Signer<I, O>; swap(next: Signer<I, O>): void } {
  let current = initial;
  return {
    port: {
      get kid() {
        return current.kid;
      },
      sign: (input) => current.sign(input),
    },
    swap: (next) => {
      current = next;
    },
  };
}

/**
 * Announces every stored key set, oldest first, beside the signing key. Re-announcing is
 * harmless — one message key per version, so compaction keeps one copy, and pipes skip sets
 * they already follow — and it restores the chain on a topic that lost it.
 */
export async function announceKeySets(
  transport: Transport,
  topic: string,
  signingKeyFile: string,
): Promise<number> {
  const sets = await storedKeySets(dirname(signingKeyFile));
  if (sets.length === 0) return 0;
  const publisher = await transport.publisher(topic);
  try {
    for (const set of sets) await publisher.publish({ payload: set.jws, key: `v${set.version}` });
  } finally {
    await publisher.close();
  }
  return sets.length;
}
