import type { Transport } from '../transport/transport.ts';
import { followKeySet, type KeyChain, rootChain } from './key-chain.ts';
import type { TrustSource } from './trust-source.ts';
import type { TrustedKeys } from './trusted-keys.ts';

export interface FollowOptions {
  readonly transport: Transport;
  readonly topic: string;
  readonly root: TrustedKeys;
  readonly log: { warn(line: string): void; debug(line: string): void };
}

/**
 * Follows the key-set chain on KEYS_TOPIC from the pinned root. Before each use it asks where
 * the topic ends and reads up to there, so a set announced before a decision was signed —
 * the service announces first, then signs — is always known when that decision is checked,
 * and so is a set that retired a key. Concurrent callers share one read.
 */
export async function followKeysTopic(options: FollowOptions): Promise<TrustSource> {
  const { transport, topic, log } = options;
  const reader = await transport.read(topic);
  let chain: KeyChain = rootChain(options.root);
  let lastRead: string | undefined;
  let reading: Promise<unknown> = Promise.resolve();

  const apply = async (payload: string): Promise<void> => {
    const step = await followKeySet(chain, payload, topic);
    if (step.ok) {
      chain = step.chain;
      log.debug(`decision keys v${chain.version} from ${topic}: ${chain.trusted.ids.join(', ')}`);
    } else if (step.reason === 'duplicate' || step.reason === 'stale') {
      log.debug(`skipped a key set already followed (${step.message})`);
    } else {
      log.warn(`⚠ Ignored a key set on ${topic}: ${step.message} (${step.reason})`);
    }
  };

  const catchUp = async (deadline: number): Promise<void> => {
    const end = await transport.endOf(topic);
    if (end.empty || (lastRead !== undefined && end.reached(lastRead))) return;
    for (;;) {
      const message = await reader.receive(deadline);
      lastRead = message.messageId;
      await apply(message.payload.toString('utf8'));
      if (end.reached(message.messageId)) return;
    }
  };

  return {
    current: async (deadline) => {
      const turn = reading.then(() => catchUp(deadline));
      reading = turn.catch(() => {});
      await turn;
      return chain.trusted;
    },
    close: () => reader.close(),
  };
}
