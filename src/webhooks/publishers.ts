import { GateError } from '../errors.ts';
import type { Publisher, Transport } from '../transport/transport.ts';
import type { PublishTo } from './receiver.ts';

/**
 * One producer per topic, opened on first use. A publish that fails (broker gone, timeout)
 * drops its producer, so the next delivery opens a fresh one instead of inheriting a dead
 * socket; and every publish has one deadline, producer start included, well inside the ~10 s
 * Bitbucket waits for an answer — past it the delivery is answered 503 and Bitbucket retries.
 */
export function publisherPool(
  transport: Transport,
  deadlineMs: number,
): PublishTo & { close(): Promise<void> } {
  const open = new Map<string, Promise<Publisher>>();
  const publish: PublishTo = async (topic, message) => {
    let producer = open.get(topic);
    if (producer === undefined) {
      producer = transport.publisher(topic);
      open.set(topic, producer);
    }
    let gaveUp = false;
    // A producer that connects after the deadline must not send: that delivery was answered 503
    // and Bitbucket's retry will publish it again (each late send was one more copy on the topic).
    const attempt = producer.then((p) => {
      if (gaveUp) throw new GateError('PULSAR_TIMEOUT', `gave up on ${topic} before the producer opened`);
      return p.publish(message);
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GateError(
              'PULSAR_TIMEOUT',
              `Pulsar did not store the event on ${topic} within ${deadlineMs} ms`,
            ),
          ),
        deadlineMs,
      );
    });
    try {
      return await Promise.race([attempt, late]);
    } catch (error) {
      gaveUp = true;
      attempt.catch(() => {}); // it may still settle; nobody waits for it now
      if (open.get(topic) === producer) {
        open.delete(topic);
        void producer.then((p) => p.close()).catch(() => {});
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  return Object.assign(publish, {
    close: async () => {
      const all = [...open.values()];
      open.clear();
      await Promise.allSettled(all.map(async (p) => (await p).close()));
    },
  });
}
