import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/service/metrics.ts';
import { signedRequest } from '../support/requester.ts';
import { type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';

let fx: ServiceFixture;
beforeAll(async () => {
  fx = await serviceFixture({ now: WEEKDAY });
});
afterAll(async () => {
  await fx?.close();
});

async function requests(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { signed } = await signedRequest(fx.issuer, {
      sealTo: fx.sealTo,
      replyTopic: fx.replyTopic,
      mint: { branchName: 'main' },
      time: WEEKDAY,
    });
    out.push(signed.jws);
  }
  return out;
}

/** Collects replies until `n` distinct requests are answered; returns every reply by request id. */
async function collect(
  attachment: Awaited<ReturnType<ServiceFixture['transport']['attach']>>,
  n: number,
  ms: number,
) {
  const byRequest = new Map<string, string[]>();
  const deadline = Date.now() + ms;
  while (byRequest.size < n) {
    const message = await attachment.receive(deadline);
    const id = message.properties.correlationId ?? '';
    byRequest.set(id, [...(byRequest.get(id) ?? []), message.payload.toString()]);
  }
  // Anything late (a second decision) would arrive now.
  for (;;) {
    const late = await attachment.receive(Date.now() + 1_500).catch(() => undefined);
    if (!late) break;
    const id = late.properties.correlationId ?? '';
    byRequest.set(id, [...(byRequest.get(id) ?? []), late.payload.toString()]);
  }
  return byRequest;
}

describe('at-least-once delivery never yields two decisions', () => {
  it('two replicas on one subscription answer 500 requests: none lost, none answered twice', async () => {
    const [a, b] = [new Metrics(), new Metrics()];
    const replicas = [await fx.start(undefined, { metrics: a }), await fx.start(undefined, { metrics: b })];
    const replies = await fx.transport.attach(fx.replyTopic);
    try {
      const batch = await requests(500);
      await Promise.all(batch.map((jws) => fx.publishRaw(jws)));
      const byRequest = await collect(replies, 500, 120_000);
      expect(byRequest.size).toBe(500);
      expect([...byRequest.values()].every((answers) => answers.length === 1)).toBe(true);
      expect(a.decisions + b.decisions).toBe(500);
      expect(a.decisions).toBeGreaterThan(0);
      expect(b.decisions).toBeGreaterThan(0);
    } finally {
      await replies.close();
      await Promise.all(replicas.map((r) => r.stop()));
    }
  }, 180_000);

  it('a service restarted mid-stream loses nothing and decides nothing twice', async () => {
    const replies = await fx.transport.attach(fx.replyTopic);
    const batch = await requests(200);
    let service = await fx.start();
    try {
      const publishing = Promise.all(batch.map((jws) => fx.publishRaw(jws)));
      const before = fx.decisions.length;
      while (fx.decisions.length < before + 40) await new Promise((r) => setTimeout(r, 20));
      await service.stop();
      service = await fx.start();
      await publishing;
      const byRequest = await collect(replies, 200, 120_000);
      expect(byRequest.size).toBe(200);
      // A redelivery may repeat a reply, but only ever the identical signed decision.
      expect([...byRequest.values()].every((answers) => new Set(answers).size === 1)).toBe(true);
    } finally {
      await replies.close();
      await service.stop();
    }
  }, 180_000);
});
