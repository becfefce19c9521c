import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalDesk } from '../../src/approvals/desk.ts';
import { loadRecordSeal } from '../../src/approvals/load-record-seal.ts';
import { recordSeal } from '../../src/approvals/record-signing.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { approvalsWorld, PAGE, PEOPLE } from '../support/approvals-world.ts';
import { brokerInfo } from '../support/broker.ts';
import { rotateKeys } from '../support/rotate-keys.ts';
import { runPipe } from '../support/run-pipe.ts';
import { topicName } from '../transport/contract.ts';

type World = Awaited<ReturnType<typeof approvalsWorld>>;
let world: World;
beforeAll(async () => {
  world = await approvalsWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** A request that became pending, and its first progress line (the desk opened it). */
async function pendingRequest() {
  const request = await world.ask();
  const first = await request.next();
  expect(first.verdict).toBe('pending');
  const progress = await request.next();
  expect(progress.verdict).toBe('pending');
  expect(progress.reasons).toEqual([
    `0 of 2 approvals from release-managers — approve at ${PAGE}/${request.requestId}`,
  ]);
  return request;
}

const approve = (request: { requestId: string; requestDigest: string }, comment = '') => ({
  requestId: request.requestId,
  requestDigest: request.requestDigest,
  kind: 'approve' as const,
  comment,
});

/** `reader` lists Alice's approval read from the topic; Bob's, given at `at`, settles the request. */
async function bobSettlesAfterAlice(
  reader: ApprovalDesk,
  at: ApprovalDesk,
  request: Awaited<ReturnType<typeof pendingRequest>>,
): Promise<void> {
  const seen = (await reader.pending()).find((e) => e.opened.requestId === request.requestId);
  expect(seen?.acts.map((x) => x.approver.sub)).toEqual(['alice']);
  await at.act(await world.token(PEOPLE.bob), approve(request));
  const { final } = await request.until('allow');
  expect(final.approvers).toEqual(['Alice (alice)', 'Bob (bob)']);
}

describe('approvals through Pulsar (issue 16)', () => {
  it('2 of 2: progress after the first, allow after the second, listing both; the same person twice counts once', async () => {
    const { desk, replica } = await world.replica();
    const request = await pendingRequest();
    try {
      const alice = await world.token(PEOPLE.alice);
      expect(await desk.act(alice, approve(request, 'looks right'))).toMatchObject({
        ok: true,
        standing: { state: 'pending' },
      });
      const one = await request.next();
      expect(one.reasons).toEqual([
        `1 of 2 approvals from release-managers — approve at ${PAGE}/${request.requestId}`,
      ]);
      // Alice again, with a fresh token: refused, and nothing is published or counted.
      const again = await desk.act(await world.token(PEOPLE.alice), approve(request));
      expect(again).toMatchObject({ ok: false, status: 409 });
      expect(again.ok ? '' : again.reason).toMatch(/already approved .*one person counts once/);
      await desk.act(await world.token(PEOPLE.bob), approve(request));
      const { final } = await request.until('allow');
      expect(final.approvers).toEqual(['Alice (alice)', 'Bob (bob)']);
      expect(final.reasons[0]).toMatch(
        /^approved by Alice \(alice\), Bob \(bob\) \(2 from release-managers, policy prod-provision\)$/,
      );
      // Settled: a late act is refused.
      const late = await desk.act(await world.token(PEOPLE.carol), approve(request));
      expect(late).toMatchObject({ ok: false, status: 409 });
    } finally {
      await request.close();
      await replica.stop();
    }
  }, 60_000);

  it('the person who ran the pipeline, someone outside the group, an unmapped person and a forged token are refused; the count stays', async () => {
    const { desk, replica } = await world.replica();
    const request = await pendingRequest();
    try {
      const ada = await desk.act(await world.token(PEOPLE.ada), approve(request));
      expect(ada).toMatchObject({ ok: false, status: 403 });
      expect(ada.ok ? '' : ada.reason).toBe(
        'Ada Admin ran this pipeline and cannot approve their own request',
      );
      const mallory = await desk.act(await world.token(PEOPLE.mallory), approve(request));
      expect(mallory.ok ? '' : mallory.reason).toBe(
        'Mallory is not in release-managers, who may approve this request',
      );
      const nobody = await desk.act(await world.token(PEOPLE.nobody), approve(request));
      expect(nobody.ok ? '' : nobody.reason).toMatch(/maps to no Bitbucket account/);
      const forged = await desk.act(
        await world.token(PEOPLE.alice, { signWithOtherKey: true }),
        approve(request),
      );
      expect(forged).toMatchObject({ ok: false, status: 403 });
      const otherAudience = await desk.act(
        await world.token(PEOPLE.alice, { audience: 'someone-else' }),
        approve(request),
      );
      expect(otherAudience).toMatchObject({ ok: false, status: 403 });
      const expired = await desk.act(
        await world.token(PEOPLE.alice, { expiresInSeconds: -120 }),
        approve(request),
      );
      expect(expired).toMatchObject({ ok: false, status: 403 });
      // Nothing of that counted: one real approval is still 1 of 2.
      await desk.act(await world.token(PEOPLE.alice), approve(request));
      expect((await request.next()).reasons[0]).toMatch(/^1 of 2 approvals/);
    } finally {
      await request.close();
      await replica.stop();
    }
  }, 60_000);

  it('a rejection ends the wait at once with a signed deny naming who and why', async () => {
    const { desk, replica } = await world.replica();
    const request = await pendingRequest();
    try {
      await desk.act(await world.token(PEOPLE.alice), approve(request));
      const noReason = await desk.act(await world.token(PEOPLE.carol), {
        ...approve(request),
        kind: 'reject',
      });
      expect(noReason).toMatchObject({ ok: false, status: 400 });
      await desk.act(await world.token(PEOPLE.carol), {
        ...approve(request, 'change freeze until Monday'),
        kind: 'reject',
      });
      const { final } = await request.until('deny');
      expect(final.reasons).toEqual(['rejected by Carol (carol): change freeze until Monday']);
      expect(final.failedPath).toBe('approval');
      expect(final.approvers).toEqual(['Carol (carol)']);
    } finally {
      await request.close();
      await replica.stop();
    }
  }, 60_000);

  it("an approval naming another request's body, an unknown request, or after the window is refused", async () => {
    const { desk, replica } = await world.replica({ windowMs: 4_000 });
    const request = await pendingRequest();
    const other = await pendingRequest();
    try {
      const alice = await world.token(PEOPLE.alice);
      const swapped = await desk.act(alice, { ...approve(request), requestDigest: other.requestDigest });
      expect(swapped).toMatchObject({ ok: false, status: 409 });
      expect(swapped.ok ? '' : swapped.reason).toMatch(/another request body/);
      const unknown = await desk.act(alice, {
        ...approve(request),
        requestId: '00000000-0000-4000-8000-000000000000',
      });
      expect(unknown).toMatchObject({ ok: false, status: 404 });
      // The window closes unsettled: a signed deny ends the wait, and a late approval is refused.
      const { final } = await request.until('deny', 10_000);
      expect(final.reasons[0]).toMatch(/^no approval within the 4 s approval window \(closed at /);
      expect(final.failedPath).toBe('approval');
      const late = await desk.act(await world.token(PEOPLE.bob), approve(request));
      expect(late).toMatchObject({ ok: false, status: 410 });
      expect((await desk.pending()).map((e) => e.opened.requestId)).not.toContain(request.requestId);
    } finally {
      await request.close();
      await other.close();
      await replica.stop();
    }
  }, 60_000);

  it('an approval sealed before `keys rotate` still counts at the replica started after it; a key the set does not name seals nothing', async () => {
    // The service's keys directory as operators keep it: generated, then rotated on Pulsar.
    const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-approval-keys-'));
    expect((await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir] })).code).toBe(0);
    const keyFile = join(dir, 'service-key.json');
    const before = await loadRecordSeal(keyFile, Date.now);
    const a = await world.replica({ seal: before });
    const request = await pendingRequest();
    try {
      await a.desk.act(await world.token(PEOPLE.alice), approve(request));
      expect((await request.next()).reasons[0]).toMatch(/^1 of 2/);
      await a.replica.stop();
      const broker = brokerInfo();
      const pulsarUrl = broker.webSocketUrl;
      await rotateKeys(dir, { keysTopic: topicName('approval-keys'), pulsarUrl, token: broker.adminToken });
      const after = await loadRecordSeal(keyFile, Date.now);
      expect(after.kid).not.toBe(before.kid);
      // A replica that trusts another key only reads none of the request's records.
      const stranger = await world.replica({
        seal: await recordSeal((await generateServiceKey()).privateJwk),
      });
      try {
        const listed = await stranger.desk.pending();
        expect(listed.find((e) => e.opened.requestId === request.requestId)).toBeUndefined();
      } finally {
        await stranger.replica.stop();
      }
      // The replica started after the rotation seals with the new key and counts Alice's act.
      const c = await world.replica({ seal: after });
      try {
        await bobSettlesAfterAlice(c.desk, c.desk, request);
      } finally {
        await c.replica.stop();
      }
    } finally {
      await request.close();
    }
  }, 120_000);

  it('approvals given at two replicas, one restarted between them, settle the request once', async () => {
    const a = await world.replica();
    const request = await pendingRequest();
    const b = await world.replica();
    try {
      await a.desk.act(await world.token(PEOPLE.alice), approve(request));
      expect((await request.next()).reasons[0]).toMatch(/^1 of 2/);
      // Replica a goes; a new one reads the approvals topic from its start.
      await a.replica.stop();
      const c = await world.replica();
      try {
        // Bob approves at replica b, which never held the request.
        await bobSettlesAfterAlice(c.desk, b.desk, request);
      } finally {
        await c.replica.stop();
      }
    } finally {
      await request.close();
      await b.replica.stop();
    }
  }, 90_000);
});
