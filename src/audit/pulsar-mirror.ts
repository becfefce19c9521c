import { randomUUID } from 'node:crypto';
import { GateError, isGateError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { Publisher, Transport } from '../transport/transport.ts';
import type { Mirror, TrailSource } from './mirror.ts';

/**
 * The audit topic: each entry one message, keyed by trail, with `trail` and `seq` as
 * properties. Its namespace must retain messages forever (README: set-retention -1/-1), or
 * the broker would drop acknowledged history. A resend after a lost acknowledgement makes a
 * duplicate, which `audit verify` counts once.
 */
export function createPulsarMirror(transport: Transport, topic: string): Mirror {
  let publisher: Promise<Publisher> | undefined;
  return {
    name: 'pulsar',
    async put(entry, line) {
      publisher ??= transport.publisher(topic);
      try {
        await (await publisher).publish({
          payload: line,
          key: entry.trail,
          properties: { trail: entry.trail, seq: String(entry.seq), type: entry.type },
        });
      } catch (error) {
        // A broken producer is not reused: the next try opens a new one.
        const broken = publisher;
        publisher = undefined;
        void broken.then((p) => p.close()).catch(() => undefined);
        throw error;
      }
    },
    retryable(error) {
      return !isGateError(error, 'PULSAR_AUTH') && !isGateError(error, 'PULSAR_NOT_PERMITTED');
    },
    async close() {
      const open = publisher;
      publisher = undefined;
      await open?.then((p) => p.close()).catch(() => undefined);
    },
  };
}

/**
 * Reads the whole audit topic from the earliest message through a subscription of its own
 * (removed afterwards where the transport can), until nothing arrives for `idleMs` (default
 * 3 s) on the transport's clock.
 */
export function topicTrailSource(
  transport: Transport,
  topic: string,
  wait: { readonly clock: Clock; readonly idleMs?: number },
): TrailSource {
  const idleMs = wait.idleMs ?? 3_000;
  return {
    async read() {
      const name = `pulsar-gate-audit-verify-${randomUUID()}`;
      const subscription = await transport.subscribe(topic, name, {
        type: 'Exclusive',
        initialPosition: 'Earliest',
      });
      const lines: string[] = [];
      try {
        for (;;) {
          const message = await subscription.receive(wait.clock.now() + idleMs).catch((error: unknown) => {
            if (isGateError(error, 'PULSAR_TIMEOUT')) return undefined;
            throw new GateError('AUDIT_INVALID', `cannot read ${topic}`, { cause: error });
          });
          if (!message) break;
          lines.push(message.payload.toString('utf8'));
        }
      } finally {
        await subscription.unsubscribe?.().catch(() => undefined);
        await subscription.close();
      }
      return { lines, ordered: false, origin: topic };
    },
  };
}
