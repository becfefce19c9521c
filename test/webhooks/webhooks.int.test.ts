// Issue 19 §1: Bitbucket Cloud webhooks into Pulsar, through `pulsar-gate-service webhooks` as a
// process and the run's real broker. Every refusal is followed by a look at the topic: nothing
// refused is ever stored.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import { commitStatusPayload, pullRequestPayload, pushPayload } from '../peers/bitbucket/webhook-payloads.ts';
import { webhookSender } from '../peers/bitbucket/webhook-sender.ts';
import { brokerInfo } from '../support/broker.ts';
import { spawnWebhooks, type WebhooksProcess } from '../support/webhooks-process.ts';
import { topicName } from '../transport/contract.ts';
import { ALICE, BOB, hash, repo } from './fixtures.ts';
import { readUntil } from './topic-events.ts';

const SECRET = `whsec-${randomUUID()}`;
const repoTopic = topicName('wh-repo');
const prTopic = topicName('wh-pr');
let proc: WebhooksProcess;
let url: string;
let transport: WebSocketTransport;

beforeAll(async () => {
  const broker = brokerInfo();
  const dir = await mkdtemp(join(tmpdir(), 'webhooks-'));
  await writeFile(join(dir, 'secret'), `${SECRET}\n`, { mode: 0o600 });
  proc = spawnWebhooks({
    PULSAR_URL: broker.webSocketUrl,
    ...(broker.adminToken === undefined ? {} : { PULSAR_TOKEN: broker.adminToken }),
    WEBHOOK_SECRET_FILE: join(dir, 'secret'),
    WEBHOOK_TOPICS: `repo:*=${repoTopic},pullrequest:*=${prTopic}`,
    WEBHOOK_MAX_BODY: '65536',
  });
  url = await proc.ready;
  transport = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });
});
afterAll(async () => {
  await transport?.close();
  expect(await proc?.stop()).toBe(0);
});

const R1 = repo('payments-api');

describe('pulsar-gate-service webhooks', () => {
  it('stores a signed delivery as a CloudEvents 1.0 event keyed by repository, then answers 2xx', async () => {
    const send = webhookSender(url, SECRET);
    const payload = pushPayload(R1, ALICE, 'main', hash(1), hash(2));
    const sent = await send(payload, { eventKey: 'repo:push' });
    expect(sent.status).toBe(202);
    const [stored] = await readUntil(transport, repoTopic, sent.requestUuid);
    expect(stored?.key).toBe(R1.uuid);
    expect(stored?.properties).toMatchObject({ deliveryId: sent.requestUuid, eventKey: 'repo:push' });
    expect(stored?.event).toMatchObject({
      specversion: '1.0',
      id: sent.requestUuid,
      source: '/bitbucket/acme/payments-api',
      type: 'org.bitbucket.repo:push',
      subject: 'ref/main',
      datacontenttype: 'application/json',
      partitionkey: R1.uuid,
      bitbucketevent: 'repo:push',
    });
    expect(stored?.event.data).toEqual(payload);
    expect(Math.abs(Date.parse(stored?.event.time ?? '') - Date.now())).toBeLessThan(60_000);
    // The secret is never printed.
    expect(proc.output()).not.toContain(SECRET);
  });

  it('routes pull request and commit status events by the mapping, with their subject', async () => {
    const send = webhookSender(url, SECRET);
    const pr = {
      id: 42,
      title: 'Pay',
      author: ALICE,
      source: 'feature/pay',
      destination: 'main',
      state: 'OPEN' as const,
      participants: [{ user: BOB, role: 'REVIEWER' as const, approved: true }],
    };
    const approved = await send(pullRequestPayload(R1, BOB, pr, true), { eventKey: 'pullrequest:approved' });
    const status = await send(commitStatusPayload(R1, ALICE, hash(3), 'SUCCESSFUL'), {
      eventKey: 'repo:commit_status_updated',
    });
    expect([approved.status, status.status]).toEqual([202, 202]);
    const prEvents = await readUntil(transport, prTopic, approved.requestUuid);
    expect(prEvents.at(-1)?.event).toMatchObject({
      type: 'org.bitbucket.pullrequest:approved',
      subject: 'pullrequest/42',
    });
    const repoEvents = await readUntil(transport, repoTopic, status.requestUuid);
    expect(repoEvents.at(-1)?.event).toMatchObject({ subject: `commit/${hash(3)}` });
  });

  it('refuses unsigned, wrongly signed, malformed, oversized and replayed deliveries, and stores none of them', async () => {
    const send = webhookSender(url, SECRET);
    const body = pushPayload(R1, ALICE, 'main', hash(4), hash(5));
    const raw = JSON.stringify(body);
    const refused: Array<{ status: number; requestUuid: string }> = [];
    const expectStatus = async (
      status: number,
      sending: Promise<{ status: number; requestUuid: string }>,
    ) => {
      const sent = await sending;
      expect(sent.status, `expected ${status}`).toBe(status);
      // A 409's id is one that was stored once, by its first delivery (counted below).
      if (status !== 409) refused.push(sent);
    };
    await expectStatus(401, send(body, { eventKey: 'repo:push', signature: null }));
    await expectStatus(401, send(body, { eventKey: 'repo:push', signature: '' }));
    await expectStatus(403, webhookSender(url, `${SECRET}x`)(body, { eventKey: 'repo:push' }));
    // Signed, then one byte of the body changed (a forged branch name of the same length).
    const signed = webhookSender(url, SECRET);
    const forged = raw.replace('"main"', '"mair"');
    const { signatureHeader } = await import('../../src/webhooks/signature.ts');
    await expectStatus(
      403,
      signed(forged, {
        eventKey: 'repo:push',
        signature: signatureHeader(Buffer.from(SECRET), Buffer.from(raw)),
      }),
    );
    // The right digest under another algorithm's name, a truncated one, upper-case prefix junk.
    const good = signatureHeader(Buffer.from(SECRET), Buffer.from(raw));
    await expectStatus(
      403,
      send(raw, { eventKey: 'repo:push', signature: good.replace('sha256=', 'sha1=') }),
    );
    await expectStatus(403, send(raw, { eventKey: 'repo:push', signature: good.slice(0, -2) }));
    await expectStatus(403, send(raw, { eventKey: 'repo:push', signature: `${good}00` }));
    // Validly signed but not routable.
    await expectStatus(400, send(raw, { eventKey: 'repo:push', requestUuid: 'not-a-uuid' }));
    await expectStatus(400, send(raw, { eventKey: 'push' }));
    await expectStatus(400, send('{"repository":', { eventKey: 'repo:push' }));
    await expectStatus(400, send({ actor: body.actor }, { eventKey: 'repo:push' }));
    // Oversized: declared, and streamed without a length.
    await expectStatus(413, send({ ...body, padding: 'x'.repeat(70_000) }, { eventKey: 'repo:push' }));
    expect(await chunkedPost(url, 70_000)).toBe(413);
    // Replays: the same delivery again, and another validly signed body under a used id.
    const first = await send(body, { eventKey: 'repo:push' });
    expect(first.status).toBe(202);
    await expectStatus(
      409,
      send(body, { eventKey: 'repo:push', requestUuid: first.requestUuid, attempt: 2 }),
    );
    await expectStatus(
      409,
      send(pushPayload(R1, ALICE, 'main', hash(5), hash(6)), {
        eventKey: 'repo:push',
        requestUuid: first.requestUuid,
      }),
    );
    // The same id in another spelling is the same delivery.
    await expectStatus(
      409,
      send(body, { eventKey: 'repo:push', requestUuid: `{${first.requestUuid.toUpperCase()}}` }),
    );
    // Concurrent copies of one new delivery: exactly one is stored.
    const copyId = randomUUID();
    const copies = await Promise.all(
      [1, 2, 3, 4].map(() => send(body, { eventKey: 'repo:push', requestUuid: copyId })),
    );
    expect(copies.map((c) => c.status).sort()).toEqual([202, 409, 409, 409]);
    const marker = await send(body, { eventKey: 'repo:push' });
    expect(marker.status).toBe(202);
    const events = await readUntil(transport, repoTopic, marker.requestUuid);
    const ids = events.map((e) => e.event.id);
    for (const r of refused) expect(ids).not.toContain(r.requestUuid);
    expect(ids.filter((id) => id === first.requestUuid)).toHaveLength(1);
    expect(ids.filter((id) => id === copyId)).toHaveLength(1);
    // The one stored copy of first.requestUuid is the first body, not the replayed other one.
    expect(events.find((e) => e.event.id === first.requestUuid)?.event.data).toEqual(body);
  });

  it('keeps each repository’s deliveries in order on the topic while repositories interleave', async () => {
    const send = webhookSender(url, SECRET);
    const repos = [repo('orders'), repo('ledger'), repo('billing')];
    const sentIds = new Map<string, string[]>();
    await Promise.all(
      repos.map(async (r) => {
        const ids: string[] = [];
        for (let i = 0; i < 15; i++) {
          const sent = await send(pushPayload(r, ALICE, 'main', hash(100 + i), hash(101 + i)), {
            eventKey: 'repo:push',
          });
          expect(sent.status).toBe(202);
          ids.push(sent.requestUuid);
        }
        sentIds.set(r.uuid, ids);
      }),
    );
    const marker = await send(pushPayload(R1, ALICE, 'main', hash(7), hash(8)), { eventKey: 'repo:push' });
    const events = await readUntil(transport, repoTopic, marker.requestUuid);
    for (const r of repos) {
      const onTopic = events.filter((e) => e.key === r.uuid).map((e) => e.event.id);
      expect(onTopic).toEqual(sentIds.get(r.uuid));
    }
  });

  it('answers 404 and 405 off its path and method, and never stores', async () => {
    const off = await fetch(url.replace(/\/bitbucket\/webhooks$/, '/other'), { method: 'POST', body: '{}' });
    const get = await fetch(url);
    expect([off.status, get.status]).toEqual([404, 405]);
  });
});

/** A POST without Content-Length (chunked), larger than the limit. */
function chunkedPost(target: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-event-key': 'repo:push' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (error) => (/EPIPE|ECONNRESET/.test(String(error)) ? resolve(413) : reject(error)));
    for (let sent = 0; sent < bytes; sent += 8192) req.write('x'.repeat(8192));
    req.end();
  });
}
