import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningService } from '../../src/service/service-options.ts';
import type { Attachment } from '../../src/transport/transport.ts';
import { signedRequest } from '../support/requester.ts';
import { type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { transportsHere } from '../support/transports.ts';

describe.each(transportsHere('replays and dead letters'))('over %s', (via) => {
  let fx: ServiceFixture;
  let service: RunningService;
  let dlq: Attachment;
  beforeAll(async () => {
    fx = await serviceFixture({ now: WEEKDAY, via });
    service = await fx.start();
    dlq = await fx.transport.attach(`${fx.topic}-dlq`);
  });
  afterAll(async () => {
    await dlq?.close();
    await service?.stop();
    await fx?.close();
  });

  const soon = (ms: number) => Date.now() + ms;

  describe('P2 on the service: replays refused, redeliveries answered the same', () => {
    it('the same request delivered twice gets the identical decision, decided once', async () => {
      const replies = await fx.transport.attach(fx.replyTopic);
      try {
        const { event, signed } = await signedRequest(fx.issuer, {
          sealTo: fx.sealTo,
          replyTopic: fx.replyTopic,
          mint: { branchName: 'main' },
          time: WEEKDAY,
        });
        await fx.publishRaw(signed.jws);
        const first = await replies.receive(soon(15_000));
        await fx.publishRaw(signed.jws);
        const second = await replies.receive(soon(15_000));
        expect(second.payload.toString()).toBe(first.payload.toString());
        // The log line follows the reply's publish: it may come a moment after the reply.
        await vi.waitFor(() =>
          expect(fx.decisions.filter((d) => d.requestId === event.id).map((d) => d.redelivered)).toEqual([
            false,
            true,
          ]),
        );
      } finally {
        await replies.close();
      }
    });

    it('another request reusing a decided id is refused', async () => {
      const first = await fx.ask({ mint: { branchName: 'main' } });
      expect(first.decision?.verdict).toBe('allow');
      const reuse = await fx.ask({ id: first.requestId, mint: { branchName: 'main' } });
      expect(reuse.decision?.verdict).toBe('deny');
      expect(reuse.decision?.failedPath).toBe('replay protection');
    });

    it('a request from outside the time window is refused', async () => {
      const { decision } = await fx.ask({
        time: new Date(WEEKDAY.getTime() - 3_600_000),
        mint: { branchName: 'main' },
      });
      expect(decision?.verdict).toBe('deny');
      expect(decision?.reasons.join(' ')).toMatch(/window/);
    });

    it('a second signing key for one step is refused', async () => {
      const stepUuid = '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}';
      const first = await fx.ask({ mint: { branchName: 'main', stepUuid } });
      expect(first.decision?.verdict).toBe('allow');
      // ask() signs every request with a fresh key: the second one is a different key for the same step.
      const second = await fx.ask({ mint: { branchName: 'main', stepUuid } });
      expect(second.decision?.verdict).toBe('deny');
      expect(second.decision?.reasons.join(' ')).toMatch(/another key/);
    });
  });

  describe('poison messages go to the dead-letter topic and never stop the service', () => {
    it('unparseable, unsigned, tampered and oversized messages are dead-lettered with a reason; the next valid request is answered', async () => {
      const { signed } = await signedRequest(fx.issuer, {
        sealTo: fx.sealTo,
        replyTopic: fx.replyTopic,
        time: WEEKDAY,
      });
      const [header, payload, signature] = signed.jws.split('.');
      const event = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
      event.data.environment = 'staging';
      const tampered = `${header}.${Buffer.from(JSON.stringify(event)).toString('base64url')}.${signature}`;
      for (const bad of ['not a jws', '{"specversion":"1.0"}', tampered, 'x'.repeat(100 * 1024)])
        await fx.publishRaw(bad);
      const reasons: string[] = [];
      for (let i = 0; i < 4; i++)
        reasons.push((await dlq.receive(soon(15_000))).properties.deadLetterReason ?? '');
      expect(reasons.some((r) => r.startsWith('oversized'))).toBe(true);
      expect(reasons.some((r) => r.startsWith('signature'))).toBe(true);
      expect(reasons.filter((r) => r.startsWith('malformed'))).toHaveLength(2);
      expect((await fx.ask({ mint: { branchName: 'main' } })).decision?.verdict).toBe('allow');
      expect(fx.metrics.render()).toMatch(/pulsar_gate_dead_lettered_total [4-9]/);
    });

    it('the decision log holds no token, one JSON record per decision', async () => {
      const { token } = await signedRequest(fx.issuer, { sealTo: fx.sealTo, replyTopic: fx.replyTopic });
      await fx.ask({ token, mint: { branchName: 'main' } });
      const text = JSON.stringify(fx.decisions);
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
      const last = fx.decisions.at(-1);
      expect(last).toMatchObject({
        requestId: expect.any(String),
        verdict: expect.any(String),
        policyDigest: expect.any(String),
        asked: { action: 'deploy', environment: 'production' },
      });
      expect(last?.verified?.repositoryUuid).toBe(fx.issuer.repositoryUuid);
    });
  });
});
