// The load generator of bench/service.ts: requests through one publisher, replies on one
// attachment, latency per request by correlation id.
import type { Transport } from '../src/transport/transport.ts';

/** Sends `jwss` keeping `concurrency` outstanding; returns per-request latencies and wall time. */
export async function drive(
  concurrency: number,
  client: Transport,
  topic: string,
  replyTopic: string,
  payloads: Array<{ id: string; jws: string; key?: string }>,
) {
  const replies = await client.attach(replyTopic);
  const publisher = await client.publisher(topic);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const waiters = new Map<string, () => void>();
  const reading = (async () => {
    while (latencies.length < payloads.length) {
      const message = await replies.receive(Date.now() + 60_000);
      const id = message.properties.correlationId ?? '';
      const started = sentAt.get(id);
      if (started === undefined) continue;
      sentAt.delete(id);
      latencies.push(performance.now() - started);
      waiters.get(id)?.();
    }
  })();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < payloads.length) {
        const item = payloads[next++];
        if (!item) return;
        const done = new Promise<void>((resolve) => waiters.set(item.id, resolve));
        sentAt.set(item.id, performance.now());
        await publisher.publish({
          payload: item.jws,
          properties: { correlationId: item.id },
          ...(item.key === undefined ? {} : { key: item.key }),
        });
        await done;
      }
    }),
  );
  await reading;
  const wallMs = performance.now() - started;
  await replies.close();
  await publisher.close();
  return { latencies, perSecond: (payloads.length / wallMs) * 1000 };
}
