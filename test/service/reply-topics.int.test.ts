import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/entry.ts';
import { InMemoryRequestLimiter } from '../../src/service/request-limits.ts';
import type { RunningService } from '../../src/service/service-options.ts';
import type { Attachment, IncomingMessage } from '../../src/transport/transport.ts';
import { siteServeEnv } from '../support/bitbucket.ts';
import { brokerAdmin } from '../support/broker.ts';
import { roleToken } from '../support/grants.ts';
import { signedRequest } from '../support/requester.ts';
import { localServeEnv, spawnServe } from '../support/serve-process.ts';
import { POLICY_DIR, type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { DECISION_TYPE, jwsType, scanNamespace } from './topic-scan.ts';

// Issue 13: the service publishes only where it decides. One namespace of its own, kept
// forever, so that the last test can read back every message of every topic in it.
const namespace = `public/reply-${randomUUID().slice(0, 8)}`;
const at = (name: string): string => `persistent://${namespace}/${name}`;
const KEYS_TOPIC = at('decision-keys');
const AUDIT_TOPIC = at('audit');
/** Another repository's reply topic, in the same namespace. */
const OTHER_REPLIES = at('other-repository-replies');
const PER_STEP = 5;
const PER_REPOSITORY = 12;

let fx: ServiceFixture;
let service: RunningService;
let replies: Attachment;
let dlq: Attachment;
beforeAll(async () => {
  await brokerAdmin().createNamespace(namespace);
  await brokerAdmin().setRetention(namespace, -1, -1);
  fx = await serviceFixture({ now: WEEKDAY, topic: at('payments') });
  service = await fx.start(undefined, {
    reservedTopics: [
      { role: 'KEYS_TOPIC', topic: KEYS_TOPIC },
      { role: 'AUDIT_TOPIC', topic: AUDIT_TOPIC },
    ],
    // The fixture's clock stands still: a bucket never refills during the run.
    limits: new InMemoryRequestLimiter(
      { perStep: PER_STEP, perRepositoryPerMinute: PER_REPOSITORY },
      { now: () => WEEKDAY.getTime() },
    ),
  });
  replies = await fx.transport.attach(fx.replyTopic);
  dlq = await fx.transport.attach(`${fx.topic}-dlq`);
});
afterAll(async () => {
  await replies?.close();
  await dlq?.close();
  await service?.stop();
  await fx?.close();
});

/** Messages on `from` until `done` says enough, then a quiet second to catch any extra one. */
async function collect(from: Attachment, done: (got: IncomingMessage[]) => boolean, ms = 60_000) {
  const got: IncomingMessage[] = [];
  const deadline = Date.now() + ms;
  while (!done(got)) got.push(await from.receive(deadline));
  for (;;) {
    const extra = await from.receive(Date.now() + 1_000).catch(() => undefined);
    if (!extra) return got;
    got.push(extra);
  }
}

const repository = () => `{${randomUUID()}}`;

describe('a request cannot choose where its decision goes', () => {
  it.each([
    ['the keys topic', KEYS_TOPIC],
    ["another repository's reply topic", OTHER_REPLIES],
  ])('a request naming %s is denied on the derived reply topic, naming the mismatch', async (_, named) => {
    const { decision } = await fx.ask({ replyTopic: named, mint: { repositoryUuid: repository() } });
    expect(decision?.verdict).toBe('deny');
    expect(decision?.failedPath).toBe('reply topic');
    expect(decision?.reasons).toEqual([
      `the request names the reply topic ${named}, but this service answers it only on ${fx.replyTopic}: set REPLY_TOPIC to ${fx.replyTopic}`,
    ]);
  });
});

describe('one step cannot flood the service', () => {
  it(`50 requests from one step: ${PER_STEP} decided, the rest dead-lettered with the reason, unsigned`, async () => {
    const stepUuid = `{${randomUUID()}}`;
    const mint = { stepUuid, repositoryUuid: repository() };
    const ids = new Set<string>();
    // What the attacker did: every request names the keys topic.
    for (let i = 0; i < 50; i++) {
      const { event, signed } = await signedRequest(fx.issuer, {
        sealTo: fx.sealTo,
        replyTopic: KEYS_TOPIC,
        mint,
        time: WEEKDAY,
      });
      ids.add(event.id);
      await fx.publishRaw(signed.jws);
    }
    const [decided, dead] = await Promise.all([
      collect(
        replies,
        (got) => got.filter((m) => ids.has(m.properties.correlationId ?? '')).length >= PER_STEP,
      ),
      collect(dlq, (got) => got.length >= 50 - PER_STEP),
    ]);
    expect(decided.filter((m) => ids.has(m.properties.correlationId ?? ''))).toHaveLength(PER_STEP);
    expect(dead).toHaveLength(50 - PER_STEP);
    for (const message of dead) {
      expect(message.properties.deadLetterReason).toBe(
        `limit: step ${stepUuid} already had ${PER_STEP} requests decided (MAX_REQUESTS_PER_STEP)`,
      );
      // The request itself, as it came: nothing the service signed.
      expect(jwsType(message.payload)).toBe('application/pulsar-gate.request+jws');
    }
    const logged = fx.decisions.filter((d) => ids.has(d.requestId));
    expect(logged).toHaveLength(PER_STEP);
  });

  it(`one repository over ${PER_REPOSITORY} requests a minute: the rest are dead-lettered, other repositories still answered`, async () => {
    const repositoryUuid = repository();
    const ids = new Set<string>();
    for (let i = 0; i < PER_REPOSITORY + 4; i++) {
      const mint = { repositoryUuid, stepUuid: `{${randomUUID()}}` };
      const { event, signed } = await signedRequest(fx.issuer, {
        sealTo: fx.sealTo,
        replyTopic: fx.replyTopic,
        mint,
        time: WEEKDAY,
      });
      ids.add(event.id);
      await fx.publishRaw(signed.jws);
    }
    const dead = await collect(dlq, (got) => got.length >= 4);
    expect(dead.map((m) => m.properties.deadLetterReason)).toEqual(
      Array(4).fill(
        `limit: repository ${repositoryUuid} sent more than ${PER_REPOSITORY} requests a minute (RATE_LIMIT_PER_REPOSITORY)`,
      ),
    );
    await expect.poll(() => fx.decisions.filter((d) => ids.has(d.requestId)).length).toBe(PER_REPOSITORY);
    expect((await fx.ask({ mint: { repositoryUuid: repository() } })).decision).toBeDefined();
  });
});

describe('the reply topic is settled before anything is decided (issue 13 §3)', () => {
  it('serve, as a process: a template mapping a request topic onto KEYS_TOPIC exits 2 with one line naming both', async () => {
    const serve = spawnServe({
      ...localServeEnv({
        pulsarUrl: 'ws://127.0.0.1:9',
        topic: `${fx.topic},${at('staging')}`,
        keysDir: '/nonexistent',
        policyDir: POLICY_DIR,
        issuer: fx.issuer,
        bitbucket: await siteServeEnv(),
      }),
      KEYS_TOPIC: `${at('staging')}-keys`,
      REPLY_TOPIC_TEMPLATE: '{topic}-keys',
    });
    expect(await serve.exited).toBe(2);
    const lines = serve
      .output()
      .split('\n')
      .filter((line) => line.includes('REPLY_TOPIC_TEMPLATE'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `REPLY_TOPIC_TEMPLATE: maps ${at('staging')} onto KEYS_TOPIC ${at('staging')}-keys (got "{topic}-keys")`,
    );
  });

  it('in process: startService refuses the same template', async () => {
    await expect(
      fx.start(undefined, {
        replyTemplate: { text: '{topic}-keys' },
        reservedTopics: [{ role: 'KEYS_TOPIC', topic: `${fx.topic}-keys` }],
      }),
    ).rejects.toThrow(`REPLY_TOPIC_TEMPLATE {topic}-keys maps ${fx.topic} onto KEYS_TOPIC ${fx.topic}-keys`);
  });

  it('a reply topic the broker refuses: dead letter only, then no audit record, no decision record, no signature', async () => {
    const topic = at('refused');
    const role = `service-${randomUUID().slice(0, 8)}`;
    const admin = brokerAdmin();
    for (const t of [topic, `${topic}-replies`, `${topic}-dlq`, `${topic}-decisions`])
      await admin.createTopic(t);
    await admin.grantTopicPermission(topic, role, ['consume']);
    await admin.grantTopicPermission(`${topic}-dlq`, role, ['produce']);
    await admin.grantTopicPermission(`${topic}-decisions`, role, ['produce', 'consume']);
    const refused = await serviceFixture({
      now: WEEKDAY,
      topic,
      issuer: fx.issuer,
      token: await roleToken(role),
    });
    const records: AuditRecord[] = [];
    const running = await refused.start(undefined, {
      audit: {
        audited: () => false,
        write: async (record) => ({ trail: 't', index: records.push(record) - 1 }),
      },
    });
    const watch = await fx.transport.attach(`${topic}-dlq`);
    const answers = await fx.transport.attach(refused.replyTopic);
    try {
      const { event, signed } = await signedRequest(fx.issuer, {
        sealTo: refused.sealTo,
        replyTopic: refused.replyTopic,
        mint: { branchName: 'main' },
        time: WEEKDAY,
      });
      await refused.publishRaw(signed.jws);
      const dead = await watch.receive(Date.now() + 30_000);
      expect(dead.properties.deadLetterReason).toMatch(
        new RegExp(`^the broker refused the reply topic ${refused.replyTopic}: `),
      );
      expect(records).toEqual([]);
      expect(refused.decisions).toEqual([]);
      // Granted now: the same request is decided afresh (no decision record was left),
      // once, and audited once.
      await admin.grantTopicPermission(refused.replyTopic, role, ['produce']);
      let answer: IncomingMessage | undefined;
      for (let attempt = 0; attempt < 10 && !answer; attempt++) {
        await refused.publishRaw(signed.jws);
        answer = await answers.receive(Date.now() + 3_000).catch(() => undefined);
      }
      expect(answer?.properties.correlationId).toBe(event.id);
      expect(jwsType(answer?.payload ?? Buffer.alloc(0))).toBe(DECISION_TYPE);
      expect(refused.decisions.map((d) => [d.requestId, d.redelivered])).toEqual([[event.id, false]]);
      expect(records.map((r) => r.requestId)).toEqual([event.id]);
    } finally {
      await watch.close();
      await answers.close();
      await running.stop();
      await refused.close();
    }
  });
});

describe('what the service wrote, read back from the broker', () => {
  it('signed decisions are only on derived reply topics; keys, audit and other reply topics hold nothing', async () => {
    const found = await scanNamespace(brokerAdmin(), fx.transport, namespace);
    const decisions = found.filter((m) => m.typ === DECISION_TYPE);
    const derived = [fx.replyTopic, `${at('refused')}-replies`];
    expect(decisions.length).toBeGreaterThan(PER_STEP);
    expect(decisions.filter((m) => !derived.includes(m.topic))).toEqual([]);
    // Every decision the service logged is there, and nothing more.
    expect(decisions.filter((m) => m.topic === fx.replyTopic)).toHaveLength(fx.decisions.length);
    expect(found.filter((m) => [KEYS_TOPIC, AUDIT_TOPIC, OTHER_REPLIES].includes(m.topic))).toEqual([]);
    const written = new Set(found.map((m) => m.topic));
    // The decisions topics hold the replicas' decision records (P2): JSON, never a bare decision.
    const kinds = (t: string) => [t, `${t}-replies`, `${t}-dlq`, `${t}-decisions`];
    for (const topic of written) expect([fx.topic, at('refused')].flatMap(kinds)).toContain(topic);
  });
});
