import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAtProvider } from '../peers/oauth/person-at-the-browser.ts';
import { type OAuthProvider, startOAuthProvider } from '../peers/oauth/provider.ts';
import { serveWithApprovals } from '../support/approvals-serve.ts';
import { PEOPLE } from '../support/approvals-world.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
let provider: OAuthProvider;
let served: Awaited<ReturnType<typeof serveWithApprovals>>;
let health = '';
const topic = topicName('approvals-cli');

beforeAll(async () => {
  fixture = await pipeFixture();
  provider = await startOAuthProvider({ people: [PEOPLE.alice, PEOPLE.ada, PEOPLE.mallory] });
  served = await serveWithApprovals(fixture, topic, {
    APPROVER_ISSUER: provider.issuer,
    APPROVER_CLIENT_ID: provider.approvalsClientId,
  });
  health = served.health;
}, 120_000);
afterAll(async () => {
  await served?.stop();
  await fixture?.close();
  await provider?.close();
});

/**
 * `pulsar-gate-service <args>` as an approver runs it; when it shows the device sign-in link
 * (RFC 8628 §3.3), `person` signs in there and confirms, as they would in their browser.
 */
async function approver(person: string, cacheDir: string, args: string[]) {
  let signIn: Promise<unknown> = Promise.resolve();
  const run = await runPipe(
    {
      APPROVALS_SERVICE_URL: health,
      APPROVER_ISSUER: provider.issuer,
      APPROVER_CLIENT_ID: provider.approvalsClientId,
      APPROVER_TOKEN_CACHE: join(cacheDir, 'token.json'),
      ALLOW_INSECURE_ISSUER: 'true',
    },
    {
      cwd: cacheDir,
      deployable: 'service',
      args,
      timeoutMs: 60_000,
      watch: {
        when: /open (\S+) and confirm the code/,
        act: (_signal, output) => {
          const uri = /open (\S+) and confirm the code/.exec(output)?.[1] ?? '';
          signIn = signInAtProvider(uri, person);
        },
      },
    },
  );
  await signIn;
  return run;
}

async function pendingId(cacheDir: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const list = await approver('alice', cacheDir, ['approvals', 'list']);
    const id = /^([0-9a-f-]{36}) {2}provision production/m.exec(list.output)?.[1];
    if (id) return id;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`nothing became pending; serve said:\n${served.serving.output()}`);
}

describe('approvers on the command line, signed in with the device flow (issue 16 §2)', () => {
  it('list, the requester refused, then approve: the pipe finishes; the token is kept 0600 and reused', async () => {
    const running = served.provision();
    const alice = await mkdtemp(join(tmpdir(), 'alice-'));
    const requestId = await pendingId(alice);
    expect((await stat(join(alice, 'token.json'))).mode & 0o777).toBe(0o600);

    const ada = await mkdtemp(join(tmpdir(), 'ada-'));
    const own = await approver('ada', ada, ['approve', requestId]);
    expect(own.output).toContain('To sign in, open');
    expect(own.output).toContain('Ada Admin ran this pipeline and cannot approve their own request');
    expect(own.code).toBe(1);

    const reject = await approver('alice', alice, ['reject', requestId]);
    expect(reject.output).toContain('a rejection needs a comment');
    expect(reject.code).toBe(1);

    const approved = await approver('alice', alice, ['approve', requestId, '--comment', 'checked the plan']);
    expect(approved.output).not.toContain('To sign in');
    expect(approved.output).toContain(`✔ approved: request ${requestId} is approved`);
    expect(approved.code).toBe(0);
    const run = await running;
    expect(run.output).toContain('✔ Allowed');
    expect(run.code).toBe(0);
  }, 180_000);
});
