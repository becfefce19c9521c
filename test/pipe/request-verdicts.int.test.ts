import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAdmin } from '../support/broker.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { answer } from '../support/responder.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
beforeAll(async () => {
  fixture = await pipeFixture();
});
afterAll(async () => {
  await fixture?.close();
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
/** What a denied or timed-out run leaves: outcome.json, and no credential file beside it. */
async function outcomeOf(cloneDir: string): Promise<Record<string, unknown>> {
  const dir = join(cloneDir, '.pulsar-gate');
  expect(await readdir(dir)).toEqual(['outcome.json']);
  return JSON.parse(await readFile(join(dir, 'outcome.json'), 'utf8'));
}

describe('pulsar-gate request, through the real entrypoint, against a real broker', () => {
  it('allow: exit 0, ✔ with policy and request id, credentials written 0600 in a 0700 dir', async () => {
    const run = await fixture.run(answer('allow'));
    expect(run.output).toMatch(/✔ Allowed by policy prod-deploy \(request [0-9a-f-]{36}, \d+\.\d s\)/);
    expect(run.code).toBe(0);
    const dir = join(run.cloneDir, '.pulsar-gate');
    expect(await mode(dir)).toBe(0o700);
    for (const file of ['aws.env', 'credentials', 'decision.json'])
      expect(await mode(join(dir, file))).toBe(0o600);
    const issued = fixture.world.sts.issued.at(-1);
    const env = await readFile(join(dir, 'aws.env'), 'utf8');
    expect(env).toContain(`export AWS_ACCESS_KEY_ID='${issued?.accessKeyId}'`);
    expect(env).toContain(`export AWS_SECRET_ACCESS_KEY='${issued?.secretAccessKey}'`);
    expect(env).toContain("export AWS_REGION='eu-west-1'");
    const shared = await readFile(join(dir, 'credentials'), 'utf8');
    expect(shared).toMatch(/^\[pulsar-gate\]\naws_access_key_id = ASIA/);
    const decision = JSON.parse(await readFile(join(dir, 'decision.json'), 'utf8'));
    expect(decision.verdict).toBe('allow');
    expect(run.output).toContain('source .pulsar-gate/aws.env');
    // The STS call was scoped as configured.
    const call = fixture.world.sts.calls.at(-1);
    expect(call?.outcome).toBe('ok');
    expect(call?.durationSeconds).toBe(900);
    expect(call?.sessionName).toMatch(/^bitbucket-\d+-[0-9a-f]{8}$/);
  });

  it('the request event carries identity and credential metadata, never the keys', async () => {
    let seen: unknown;
    const run = await fixture.run(async (request, reply) => {
      seen = request.event;
      await answer('allow')(request, reply);
    });
    expect(run.code).toBe(0);
    const event = seen as {
      type: string;
      data: { action: string; environment: string; credentials: Record<string, unknown> };
    };
    expect(event.type).toBe('dev.pulsar-gate.request.v1');
    expect(event.data.action).toBe('deploy');
    expect(event.data.environment).toBe('production');
    expect(event.data.credentials.roleArn).toContain('role/deploy-production');
    const issued = fixture.world.sts.issued.at(-1);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(issued?.secretAccessKey);
    expect(text).not.toContain(issued?.sessionToken);
    expect(text).not.toContain(issued?.accessKeyId);
  });

  it('deny: exit 1, ✖ with the reason and the failed path, outcome.json and no credential file', async () => {
    const run = await fixture.run(
      answer('deny', { failedPath: 'policy prod-deploy: branchName must be main' }),
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      '✖ Denied: branch feature/x may not deploy to production — failed at: policy prod-deploy: branchName must be main',
    );
    expect(await outcomeOf(run.cloneDir)).toMatchObject({
      verdict: 'deny',
      mode: 'step',
      failedPath: 'policy prod-deploy: branchName must be main',
      exitCode: 1,
    });
  });

  it('pending, then allow: prints who must approve and keeps waiting', async () => {
    const run = await fixture.run(async (_request, reply) => {
      await reply.publish(await reply.sign(reply.decision('pending', { approvers: ['release-managers'] })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await reply.publish(await reply.sign(reply.decision('allow')));
    });
    expect(run.output).toContain('⏸ Pending: approval needed from release-managers');
    expect(run.code).toBe(0);
  });

  it('timeout: exit 4 when no decision comes, nothing written', async () => {
    const run = await fixture.run(async () => {}, { variables: { TIMEOUT: '2' } });
    expect(run.code).toBe(4);
    expect(run.output).toMatch(
      /✖ Timed out: no valid decision arrived within 2 s .* failed at: decision service/,
    );
    expect(await outcomeOf(run.cloneDir)).toMatchObject({ verdict: 'timeout', code: 'DECISION_TIMEOUT' });
  });

  it('broker unreachable: exit 5 naming the URL, never the token', async () => {
    const run = await fixture.run(undefined, { variables: { PULSAR_URL: 'ws://127.0.0.1:1' } });
    expect(run.code).toBe(5);
    expect(run.output).toMatch(/✖ Pulsar: cannot reach Pulsar at ws:\/\/127\.0\.0\.1:1/);
    expect(run.output).not.toContain(run.env.PULSAR_TOKEN ?? 'no token');
  });

  it('leaves no subscription of its own behind on the reply topic, allowed or denied', async () => {
    const topic = topicName('cleanup');
    for (const verdict of ['allow', 'deny'] as const) {
      const run = await fixture.run(answer(verdict), { topic });
      expect(run.code).toBe(verdict === 'allow' ? 0 : 1);
    }
    const subscriptions = await brokerAdmin().listSubscriptions(`${topic}-replies`);
    expect(subscriptions.filter((s) => s.startsWith('pulsar-gate-'))).toEqual([]);
  });

  it('the bundle reaches wss:// through its lazily loaded tls: a non-TLS port is a Pulsar connection error', async () => {
    const plain = new URL(fixture.broker.webSocketUrl);
    const run = await fixture.run(undefined, {
      entry: 'bundle',
      variables: { PULSAR_URL: `wss://${plain.host}` },
    });
    expect(run.code).toBe(5);
    expect(run.output).toContain(`cannot reach Pulsar at wss://${plain.host}`);
  });

  it('the bundled entrypoint behaves like the source one (what the image runs)', async () => {
    const run = await fixture.run(answer('allow'), { entry: 'bundle' });
    expect(run.output).toContain('✔ Allowed by policy prod-deploy');
    expect(run.code).toBe(0);
  });
});
