// The load generator of bench/service.ts: requests through one publisher, replies on one
// attachment, latency per request by correlation id. Closed loop (`concurrency` requests
// outstanding: the maximum throughput) or open loop (`perSecond`: request i leaves at
// i / perSecond whatever the replies do, so a slow reply cannot slow the offered load and hide
// its own latency — the latency at a given load, not at saturation).
import type { Transport } from '../src/transport/transport.ts';

export type Load = { readonly concurrency: number } | { readonly perSecond: number };

/**
 * Sends `payloads` under `load`; returns per-request latencies, the throughput achieved and
 * this process's CPU time (user + system, process.cpuUsage) per request over the run.
 */
export async function drive(
  load: Load,
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
  const send = async (item: { id: string; jws: string; key?: string }) => {
    const done = new Promise<void>((resolve) => waiters.set(item.id, resolve));
    sentAt.set(item.id, performance.now());
    await publisher.publish({
      payload: item.jws,
      properties: { correlationId: item.id },
      ...(item.key === undefined ? {} : { key: item.key }),
    });
    await done;
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  if ('perSecond' in load) {
    const sends: Promise<void>[] = [];
    for (const [i, item] of payloads.entries()) {
      const due = started + (i * 1000) / load.perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sends.push(send(item));
    }
    await Promise.all(sends);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: load.concurrency }, async () => {
        while (next < payloads.length) {
          const item = payloads[next++];
          if (!item) return;
          await send(item);
        }
      }),
    );
  }
  await reading;
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await replies.close();
  await publisher.close();
  return {
    latencies,
    perSecond: (payloads.length / wallMs) * 1000,
    cpuMsPerRequest: (used.user + used.system) / 1000 / payloads.length,
  };
}
