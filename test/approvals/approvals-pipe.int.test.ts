import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PeopleIdp, startPeopleIdp } from '../peers/people/idp.ts';
import { serveWithApprovals } from '../support/approvals-serve.ts';
import { PEOPLE } from '../support/approvals-world.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { rotateKeys } from '../support/rotate-keys.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
let idp: PeopleIdp;
let served: Awaited<ReturnType<typeof serveWithApprovals>>;
let health = '';
let stateDir: string;
let policyDir: string;
let hook: { url: string; bodies: Record<string, unknown>[]; close(): Promise<void> };
const topic = topicName('approvals-pipe');
const PAGE = 'https://gate.example/approvals';

beforeAll(async () => {
  fixture = await pipeFixture();
  idp = await startPeopleIdp();
  stateDir = await mkdtemp(join(tmpdir(), 'state-'));
  // A copy of the sample policies: a test edits its groups.json and sends SIGHUP.
  policyDir = await mkdtemp(join(tmpdir(), 'policies-'));
  await cp(POLICY_DIR, policyDir, { recursive: true });
  hook = await webhookReceiver();
  served = await serveWithApprovals(
    fixture,
    topic,
    {
      APPROVER_ISSUER: idp.issuer,
      APPROVER_CLIENT_ID: idp.clientId,
      APPROVALS_URL: PAGE,
      STATE_DIR: stateDir,
      APPROVAL_WEBHOOK_URL: `${hook.url}/hooks/secret-token-in-path`,
    },
    { gate: true, policyDir },
  );
  health = served.health;
}, 120_000);
afterAll(async () => {
  await served?.stop();
  await fixture?.close();
  await idp?.close();
  await hook?.close();
});

/** A chat tool's incoming webhook: keeps every JSON body POSTed to it. */
async function webhookReceiver() {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk;
    });
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The approvals API as the CLI calls it, with a person's ID token. */
async function api(path: string, token: string, body?: unknown) {
  const response = await fetch(`${health}/approvals/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function pendingRequestId(token: string): Promise<{ requestId: string; requestDigest: string }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { json } = await api('/requests', token);
    const [first] = json.requests as { requestId: string; requestDigest: string }[];
    if (first) return first;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing became pending; serve said:\n${served.serving.output()}`);
}

describe('a real pipe waits while a person approves through serve (issue 16)', () => {
  it('pending → the pipe prints the link and waits; the requester is refused; a release manager approves; the pipe is allowed', async () => {
    const alice = await idp.idToken(PEOPLE.alice);
    const running = served.provision();
    const { requestId, requestDigest } = await pendingRequestId(alice);
    // The notification: verified facts and the link, in the `text` Slack and Teams show.
    for (let i = 0; i < 50 && hook.bodies.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({
      requestId,
      link: `${PAGE}/${requestId}`,
      environment: 'production',
    });
    expect(hook.bodies[0]?.text).toMatch(
      new RegExp(
        `^⏸ Approval needed: provision of production \\(main at [0-9a-f]{12}, build 1742, run by \\{77aa88bb-[^)]+\\) needs 1 from release-managers — ${PAGE}/${requestId}$`,
      ),
    );
    expect(served.serving.output()).not.toContain('secret-token-in-path');
    const unsigned = await fetch(`${health}/approvals/api/requests`);
    expect(unsigned.status).toBe(401);
    const forged = await api('/requests', await idp.idToken(PEOPLE.alice, { signWithOtherKey: true }));
    expect(forged.status).toBe(403);
    expect(forged.json).toEqual({ error: 'your ID token was refused' });
    const own = await api(`/requests/${requestId}`, await idp.idToken(PEOPLE.ada), {
      requestDigest,
      decision: 'approve',
    });
    expect(own.status).toBe(403);
    expect(own.json.error).toBe('Ada Admin ran this pipeline and cannot approve their own request');
    const approved = await api(`/requests/${requestId}`, alice, {
      requestDigest,
      decision: 'approve',
      comment: 'ok',
    });
    expect(approved.status).toBe(200);
    expect(approved.headers.get('cache-control')).toBe('no-store');
    expect(approved.json.state).toBe('approved');
    const run = await running;
    expect(run.output).toContain('⏸ Pending: approval needed from release-managers');
    expect(run.output).toContain(`⏸ 0 of 1 approval from release-managers — approve at ${PAGE}/${requestId}`);
    expect(run.output).toContain('✔ Allowed');
    expect(run.code).toBe(0);
    // Gate mode: the allow that the approval settled carries a gate token for this run, which
    // STS exchanged for a session tagged with what the service verified (issue 14).
    const repository = fixture.world.issuer.repositoryUuid.replace(/[{}]/g, '');
    expect(served.sts?.calls.map((c) => [c.outcome, c.subject])).toEqual([
      ['ok', `repo:${repository}:env:production`],
    ]);
    expect(served.sts?.sessions.at(-1)?.tags).toEqual({
      repository,
      environment: 'production',
      action: 'provision',
    });
    expect(run.output).not.toMatch(/eyJ[\w-]{8,}\.eyJ/);
    // The final decision is in serve's decision log, listing its approver.
    expect(served.serving.output()).toMatch(
      /"verdict":"allow".*"acts":\[\{"kind":"approve","approver":\{"iss":"[^"]+","sub":"alice"/,
    );
    // The audit trail: the approval as a record of its own, then the allow listing it; no token anywhere.
    const trail = await readFile(join(stateDir, 'audit', 'trail.jsonl'), 'utf8');
    const records = trail
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((e) => e.type === 'decision' && e.record.requestId === requestId)
      .map((e) => e.record);
    expect(records.map((r) => [r.verdict, r.act?.approver.sub ?? null, r.acts?.length ?? 0])).toEqual([
      ['pending', null, 0],
      ['pending', 'alice', 0],
      ['allow', null, 1],
    ]);
    expect(records[1].act).toMatchObject({
      kind: 'approve',
      comment: 'ok',
      approver: { groups: ['release-managers'] },
    });
    expect(trail).not.toContain(alice);
    expect(trail).not.toContain(alice.split('.')[2]);
  }, 120_000);

  it("SIGHUP re-reads groups.json's approvers: an IdP group mapped to release-managers then counts", async () => {
    const dave = {
      sub: 'dave',
      name: 'Dave',
      groups: ['ops-leads'],
      bitbucket: '{da7e0000-0000-4000-8000-000000000005}',
    };
    const token = await idp.idToken(dave);
    const running = served.provision();
    const { requestId, requestDigest } = await pendingRequestId(token);
    const ask = () => api(`/requests/${requestId}`, token, { requestDigest, decision: 'approve' });
    const before = await ask();
    expect(before.status).toBe(403);
    expect(before.json.error).toBe('Dave is not in release-managers, who may approve this request');
    const groupsFile = join(policyDir, 'groups.json');
    const groups = JSON.parse(await readFile(groupsFile, 'utf8'));
    await writeFile(
      groupsFile,
      JSON.stringify({ ...groups, approvers: { 'release-managers': ['ops-leads'] } }),
    );
    served.serving.child.kill('SIGHUP');
    const until = Date.now() + 10_000;
    while (!served.serving.output().includes('approvals reloaded: ')) {
      if (Date.now() > until) throw new Error(`no reload of the approver maps: ${served.serving.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served.serving.output()).toContain('1 approver group mapped');
    const after = await ask();
    expect(after.status, JSON.stringify(after.json)).toBe(200);
    expect(after.json.state).toBe('approved');
    expect((await running).output).toContain('✔ Allowed');
  }, 120_000);

  it('SIGHUP after `keys rotate`: serve seals approval records with the new key', async () => {
    const kid = await rotateKeys(served.keysDir, {
      keysTopic: topicName('approvals-keys'),
      pulsarUrl: fixture.broker.webSocketUrl,
      token: fixture.broker.adminToken,
    });
    served.serving.child.kill('SIGHUP');
    const until = Date.now() + 10_000;
    while (!served.serving.output().includes(`approvals reloaded: sealing records with ${kid}`)) {
      if (Date.now() > until)
        throw new Error(`no reload of the approval records' key: ${served.serving.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);
});
