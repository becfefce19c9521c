import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDecisionSigner, type DecisionSigner } from '../events/decision-signing.ts';
import { storedKeySets } from '../keys/key-store.ts';
import type { Transport } from '../transport/transport.ts';
import type { DecisionSignerPort } from './ports.ts';

export async function loadSigner(file: string): Promise<DecisionSigner> {
  return createDecisionSigner(JSON.parse(await readFile(file, 'utf8')));
}

/** The signer decisions use, swapped whole on SIGHUP after `keys rotate` (never half-loaded). */
export function swappableSigner(initial: DecisionSigner): {
  readonly port: DecisionSignerPort;
  swap(next: DecisionSigner): void;
} {
  let current = initial;
  return {
    port: {
      get kid() {
        return current.kid;
      },
      sign: (decision) => current.sign(decision),
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
