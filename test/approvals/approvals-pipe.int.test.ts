import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PeopleIdp, startPeopleIdp } from '../peers/people/idp.ts';
import { PEOPLE } from '../support/approvals-world.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { localServeEnv, type ServeProcess, spawnServe } from '../support/serve-process.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
let idp: PeopleIdp;
let serving: ServeProcess | undefined;
let keysDir: string;
let health = '';
let stateDir: string;
const topic = topicName('approvals-pipe');
const PAGE = 'https://gate.example/approvals';

beforeAll(async () => {
  fixture = await pipeFixture();
  idp = await startPeopleIdp();
  keysDir = await mkdtemp(join(tmpdir(), 'keys-'));
  stateDir = await mkdtemp(join(tmpdir(), 'state-'));
  expect((await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir] })).code).toBe(0);
  serving = spawnServe({
    ...localServeEnv({
      pulsarUrl: fixture.broker.webSocketUrl,
      topic,
      keysDir,
      policyDir: POLICY_DIR,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: fixture.broker.adminToken ?? '',
    APPROVER_ISSUER: idp.issuer,
    APPROVER_CLIENT_ID: idp.clientId,
    APPROVER_BITBUCKET_CLAIM: 'bitbucket_account',
    APPROVALS_URL: PAGE,
    STATE_DIR: stateDir,
  });
  health = await serving.ready;
}, 120_000);
afterAll(async () => {
  serving?.child.kill('SIGTERM');
  await serving?.exited;
  await fixture?.close();
  await idp?.close();
});

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
  throw new Error(`nothing became pending; serve said:\n${serving?.output()}`);
}

describe('a real pipe waits while a person approves through serve (issue 16)', () => {
  it('pending → the pipe prints the link and waits; the requester is refused; a release manager approves; the pipe is allowed', async () => {
    const alice = await idp.idToken(PEOPLE.alice);
    const running = fixture.run(undefined, {
      topic,
      variables: {
        TOPIC: topic,
        ACTION: 'provision',
        TIMEOUT: '60',
        DECISION_KEYS: await readFile(join(keysDir, 'decision-keys.json'), 'utf8'),
      },
    });
    const { requestId, requestDigest } = await pendingRequestId(alice);
    const unsigned = await fetch(`${health}/approvals/api/requests`);
    expect(unsigned.status).toBe(401);
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
    // The final decision is in serve's decision log, listing its approver.
    expect(serving?.output()).toMatch(
      /"verdict":"allow".*"acts":\[\{"kind":"approve","approver":\{"iss":"[^"]+","sub":"alice"/,
    );
  }, 120_000);
});
