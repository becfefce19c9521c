// Issue 13 part 3 (P2, docs/security.md): one decision per request id and one request key per
// step, across every replica and under concurrency. Every replica is a real service on the real
// broker, with its own connection, its own table, one shared decisions topic.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/entry.ts';
import { type Decision, verifyDecision } from '../../src/events/decision.ts';
import type { AuditPort } from '../../src/service/ports.ts';
import type { Attachment, Publisher } from '../../src/transport/transport.ts';
import { signedRequest } from '../support/requester.ts';
import { type Replica, type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

let fx: ServiceFixture;
const publishers = new Map<string, Promise<Publisher>>();
beforeAll(async () => {
  fx = await serviceFixture({ now: WEEKDAY });
});
afterAll(async () => {
  await Promise.allSettled([...publishers.values()].map(async (p) => (await p).close()));
  await fx?.close();
});

const newStep = () => `{${randomUUID()}}`;

/** A request of `stepUuid` (a fresh per-run key each time, as each pipe run makes), for `topic`. */
async function request(stepUuid: string, topic = fx.topic) {
  const { event, signed } = await signedRequest(fx.issuer, {
    sealTo: fx.sealTo,
    replyTopic: `${topic}-replies`,
    mint: { branchName: 'main', stepUuid },
    time: WEEKDAY,
  });
  return { event, signed, stepUuid, topic };
}
type Request = Awaited<ReturnType<typeof request>>;

/** Publishes as the pipe does (keyed by the step), or with the key an attacker picks. */
async function send(r: Request, key = r.stepUuid): Promise<void> {
  let publisher = publishers.get(r.topic);
  if (!publisher) {
    publisher = fx.transport.publisher(r.topic);
    publishers.set(r.topic, publisher);
  }
  await (await publisher).publish({ payload: r.signed.jws, properties: { correlationId: r.event.id }, key });
}

/** Every reply on `attachments` until each of `ids` has one and `quietMs` pass without more. */
async function repliesFor(attachments: Attachment[], ids: string[], quietMs = 1_500, withinMs = 60_000) {
  const byId = new Map<string, string[]>();
  const deadline = Date.now() + withinMs;
  let last = Date.now();
  const done = () =>
    Date.now() >= deadline || (ids.every((id) => byId.has(id)) && Date.now() - last >= quietMs);
  await Promise.all(
    attachments.map(async (attachment) => {
      while (!done()) {
        const message = await attachment.receive(Math.min(deadline, Date.now() + 200)).catch(() => undefined);
        if (!message) continue;
        last = Date.now();
        const id = message.properties.correlationId ?? '';
        byId.set(id, [...(byId.get(id) ?? []), message.payload.toString()]);
      }
    }),
  );
  return byId;
}

/** The decision, verified as the pipe verifies it: bound to this very request. */
async function verified(r: Request, jws: string | undefined): Promise<Decision> {
  const result = await verifyDecision(jws ?? '', fx.trusted, {
    requestId: r.event.id,
    requestDigest: r.signed.requestDigest,
    nonce: r.event.data.nonce,
    requestKeyThumbprint: r.signed.keyThumbprint,
    now: WEEKDAY,
  });
  if (!result.ok) throw new Error(`no valid decision for ${r.event.id}: ${result.message}`);
  return result.decision;
}

/** An audit port that keeps every record it is given (the trail's own tests hold the rest). */
function recordingAudit(): AuditPort & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    records,
    audited: () => false,
    write: async (record) => ({ trail: 'recorded', index: records.push(record) - 1 }),
  };
}

async function withReplicas<T>(replicas: Replica[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await Promise.allSettled(replicas.map((r) => r.stop()));
  }
}

describe('one replica, concurrent copies', () => {
  it('20 copies of one request sent at once get one decision: the same signed bytes, one audit record', async () => {
    const audit = recordingAudit();
    const replica = await fx.start(undefined, { audit });
    const replies = await fx.transport.attach(fx.replyTopic);
    await withReplicas([replica], async () => {
      const r = await request(newStep());
      await Promise.all(Array.from({ length: 20 }, () => send(r)));
      const byId = await repliesFor([replies], [r.event.id]);
      const answers = byId.get(r.event.id) ?? [];
      expect(answers).toHaveLength(20);
      expect(new Set(answers).size).toBe(1);
      expect((await verified(r, answers[0])).verdict).toBe('allow');
      expect(audit.records.filter((a) => a.requestId === r.event.id)).toHaveLength(1);
      const logged = fx.decisions.filter((d) => d.requestId === r.event.id);
      expect(logged).toHaveLength(20);
      expect(logged.filter((d) => !d.redelivered)).toHaveLength(1);
    });
    await replies.close();
  }, 60_000);
});

describe('across replicas', () => {
  it('a copy sent to a second replica, and one after a failover, get the identical decision', async () => {
    const other = topicName('requests-b');
    const [a, b] = [await fx.start(), await fx.start(undefined, { topics: [other] })];
    const replies = [await fx.transport.attach(fx.replyTopic), await fx.transport.attach(`${other}-replies`)];
    await withReplicas([a, b], async () => {
      const r = await request(newStep());
      await send(r);
      const first = (await repliesFor(replies, [r.event.id])).get(r.event.id) ?? [];
      expect(first).toHaveLength(1);
      // The same bytes, on the topic only replica b consumes.
      await send({ ...r, topic: other });
      const again = (await repliesFor(replies, [r.event.id])).get(r.event.id) ?? [];
      expect(again).toEqual(first);
      // Replica a dies; a new replica takes its topic over and is sent the copy.
      await a.kill();
      const c = await fx.start();
      await withReplicas([c], async () => {
        await send(r);
        const afterFailover = (await repliesFor(replies, [r.event.id])).get(r.event.id) ?? [];
        expect(afterFailover).toEqual(first);
      });
    });
    await Promise.all(replies.map((x) => x.close()));
  }, 90_000);

  it.each([2, 3])(
    'one step’s requests with %i keys sent at the same moment to as many replicas: one allow, the rest denied as a second key',
    async (n) => {
      const topics = [fx.topic, ...Array.from({ length: n - 1 }, (_, i) => topicName(`requests-${i}`))];
      const replicas = await Promise.all(topics.map((t) => fx.start(undefined, { topics: [t] })));
      const replies = await Promise.all(topics.map((t) => fx.transport.attach(`${t}-replies`)));
      await withReplicas(replicas, async () => {
        // Ten steps, each racing n keys on n replicas: the race must never be won twice.
        for (let round = 0; round < 10; round++) {
          const step = newStep();
          const racing = await Promise.all(topics.map((t) => request(step, t)));
          await Promise.all(racing.map((r) => send(r)));
          const byId = await repliesFor(
            replies,
            racing.map((r) => r.event.id),
            500,
          );
          const decisions = await Promise.all(
            racing.map(async (r) => {
              const answers = byId.get(r.event.id) ?? [];
              expect(answers).toHaveLength(1);
              return verified(r, answers[0]);
            }),
          );
          expect(decisions.filter((d) => d.verdict === 'allow')).toHaveLength(1);
          const denied = decisions.filter((d) => d.verdict === 'deny');
          expect(denied).toHaveLength(n - 1);
          for (const d of denied) expect(d.reasons.join(' ')).toMatch(/a second request key for this step/);
        }
      });
      await Promise.all(replies.map((x) => x.close()));
    },
    120_000,
  );

  it('a request whose message key is not its verified step is denied, and that deny is its one decision', async () => {
    const replica = await fx.start();
    const replies = await fx.transport.attach(fx.replyTopic);
    await withReplicas([replica], async () => {
      const step = newStep();
      const r = await request(step);
      // Keyed to land on another replica than the step's other requests.
      await send(r, newStep());
      const first = (await repliesFor([replies], [r.event.id])).get(r.event.id) ?? [];
      const decision = await verified(r, first[0]);
      expect(decision.verdict).toBe('deny');
      expect(decision.failedPath).toBe('request routing');
      // Sent again correctly keyed: the decision already made, not an allow.
      await send(r);
      expect((await repliesFor([replies], [r.event.id])).get(r.event.id)).toEqual(first);
      // The mis-keyed request did not bind the step: the step's genuine request is decided.
      const genuine = await request(step);
      await send(genuine);
      const answer = (await repliesFor([replies], [genuine.event.id])).get(genuine.event.id) ?? [];
      expect((await verified(genuine, answer[0])).verdict).toBe('allow');
    });
    await replies.close();
  }, 60_000);
});

describe('replicas dying and joining mid-stream', () => {
  it.each([2, 3])(
    '%i replicas, one killed without acknowledging and a new one started while 120 steps race two keys each: every request one decision, one allow per step',
    async (n) => {
      const replicas = await Promise.all(Array.from({ length: n }, () => fx.start()));
      const replies = await fx.transport.attach(fx.replyTopic);
      const started: Replica[] = [];
      await withReplicas([...replicas, ...started], async () => {
        const steps = Array.from({ length: 120 }, newStep);
        const all: Request[] = [];
        for (const step of steps) all.push(await request(step), await request(step));
        const decidedBefore = fx.decisions.length;
        const publishing = (async () => {
          for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((r) => send(r)));
        })();
        // Kill one replica once decisions flow, then start another (keys move twice).
        while (fx.decisions.length < decidedBefore + 40) await new Promise((r) => setTimeout(r, 10));
        await replicas[0]?.kill();
        started.push(await fx.start());
        await publishing;
        const byId = await repliesFor(
          [replies],
          all.map((r) => r.event.id),
          2_000,
          120_000,
        );
        const verdicts = new Map<string, string[]>();
        for (const r of all) {
          const answers = byId.get(r.event.id) ?? [];
          expect(answers.length).toBeGreaterThan(0);
          // A redelivery may repeat a reply, but only ever the identical signed decision.
          expect(new Set(answers).size).toBe(1);
          const decision = await verified(r, answers[0]);
          verdicts.set(r.stepUuid, [...(verdicts.get(r.stepUuid) ?? []), decision.verdict]);
        }
        for (const [, v] of verdicts) expect(v.sort()).toEqual(['allow', 'deny']);
      });
      await Promise.allSettled(started.map((r) => r.stop()));
      await replies.close();
    },
    180_000,
  );
});
