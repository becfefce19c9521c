import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { auditVerify, localServeEnv, type ServeProcess, spawnServe } from '../support/serve-process.ts';
import { expectSampleVerdicts } from '../support/served-verdicts.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { brokerUrl, transportsHere, type Via } from '../support/transports.ts';
import { topicName } from '../transport/contract.ts';

let fixture: PipeFixture;
let keysDir: string;
let serve: ChildProcess | undefined;
let serving: ServeProcess | undefined;
const serveOutput = (): string => serving?.output() ?? '';
let healthUrl = '';
const topic = topicName('served');

async function startServe(env: Record<string, string>): Promise<void> {
  const running = spawnServe(env);
  serve = running.child;
  serving = running;
  healthUrl = await running.ready;
}

beforeAll(async () => {
  fixture = await pipeFixture();
  keysDir = await mkdtemp(join(tmpdir(), 'keys-'));
  const generate = await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir] });
  expect(generate.code).toBe(0);
}, 120_000);
afterAll(async () => {
  serve?.kill('SIGKILL');
  await fixture?.close();
});

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; serve said:\n${serveOutput()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function serveEnv(policyDir = POLICY_DIR, via: Via = 'WebSocket', on = topic): Record<string, string> {
  const { adminToken } = fixture.broker;
  return {
    ...localServeEnv({
      pulsarUrl: brokerUrl(fixture.broker, via),
      topic: on,
      keysDir,
      policyDir,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: adminToken ?? '',
  };
}

describe('pulsar-gate keys generate', () => {
  it('writes the private keys 0600 and a public JWKS (signing and encryption key) without private members', async () => {
    expect((await stat(join(keysDir, 'service-key.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(keysDir, 'service-enc-keys.json'))).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(await readFile(join(keysDir, 'decision-keys.json'), 'utf8'));
    const ring = JSON.parse(await readFile(join(keysDir, 'service-enc-keys.json'), 'utf8'));
    expect(jwks.keys.map((k: { use: string; alg: string }) => `${k.use} ${k.alg}`)).toEqual([
      'sig ES256',
      'enc ECDH-ES+A256KW',
    ]);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
    expect(ring.keys).toHaveLength(1);
    expect(ring.keys[0]).toMatchObject({ kid: jwks.keys[1].kid, use: 'enc', d: expect.any(String) });
  });
});

describe('pulsar-gate keys generate --add (rotation)', () => {
  it('publishes the old and the new key; a pipe given the new set accepts decisions signed by either', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rotate-'));
    expect((await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir] })).code).toBe(0);
    const old = JSON.parse(await readFile(join(dir, 'service-key.json'), 'utf8'));
    expect((await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir, '--add'] })).code).toBe(0);
    const current = JSON.parse(await readFile(join(dir, 'service-key.json'), 'utf8'));
    const jwks = JSON.parse(await readFile(join(dir, 'decision-keys.json'), 'utf8'));
    const ring = JSON.parse(await readFile(join(dir, 'service-enc-keys.json'), 'utf8'));
    expect(current.kid).not.toBe(old.kid);
    const signing = jwks.keys.filter((k: { use: string }) => k.use === 'sig');
    expect(signing.map((k: { kid: string }) => k.kid).sort()).toEqual([old.kid, current.kid].sort());
    // Pipes encrypt to the new encryption key only; serve still decrypts with the old one.
    const published = jwks.keys.filter((k: { use: string }) => k.use === 'enc');
    expect(published).toHaveLength(1);
    expect(ring.keys.map((k: { kid: string }) => k.kid)).toEqual([published[0].kid, expect.any(String)]);
    expect(
      JSON.parse(await readFile(join(dir, `service-key-${String(old.kid).slice(0, 16)}.json`), 'utf8')).kid,
    ).toBe(old.kid);
    for (const key of [old, current]) {
      const run = await fixture.run(
        async (_request, reply) => {
          await reply.publish(await reply.sign(reply.decision('allow'), key));
        },
        { variables: { DECISION_KEYS: join(dir, 'decision-keys.json') } },
      );
      expect(run.code).toBe(0);
    }
  });
});

describe('pulsar-gate-service serve, as a process, answering the pipe as a process', () => {
  it('refuses to start on a policy that does not validate, naming file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-policies-'));
    await cp(POLICY_DIR, dir, { recursive: true });
    await writeFile(
      join(dir, 'broken.cedar'),
      'permit (\n  principal,\n  action == Action::"deploy",\n  resource\n) when { principal.nope == 1 };\n',
    );
    await expect(startServe(serveEnv(dir))).rejects.toThrow(/exited 2: .*broken\.cedar:\d+/s);
  });

  it('refuses to start without usable encryption keys, in one line naming the file (exit 2)', async () => {
    const missing = join(keysDir, 'nowhere', 'enc.json');
    await expect(startServe({ ...serveEnv(), ENCRYPTION_KEYS_FILE: missing })).rejects.toThrow(
      new RegExp(`exited 2: .*cannot read ${missing}.*ENCRYPTION_KEYS_FILE`, 's'),
    );
    // A signing key in its place is not an encryption key, and its private member is never printed.
    const signing = join(keysDir, 'service-key.json');
    const error = await startServe({ ...serveEnv(), ENCRYPTION_KEYS_FILE: signing }).then(
      () => undefined,
      (thrown: unknown) => String(thrown),
    );
    expect(error).toMatch(/exited 2: .*is not a JWKS of encryption keys/s);
    expect(error).not.toContain(JSON.parse(await readFile(signing, 'utf8')).d);
  });

  it('with GATE_ISSUER, refuses to start without a usable gate key set, naming the file (exit 2)', async () => {
    const gate = { GATE_ISSUER: 'http://127.0.0.1:9' };
    const missing = join(keysDir, 'nowhere', 'gate-keys.json');
    await expect(startServe({ ...serveEnv(), ...gate, GATE_KEYS_FILE: missing })).rejects.toThrow(
      new RegExp(`exited 2: .*cannot read the gate key set ${missing}.*GATE_KEYS_FILE`, 's'),
    );
    // The decision key is never a gate key (one key, one purpose); its `d` is never printed.
    const signing = join(keysDir, 'service-key.json');
    const error = await startServe({ ...serveEnv(), ...gate, GATE_KEYS_FILE: signing }).then(
      () => undefined,
      (thrown: unknown) => String(thrown),
    );
    expect(error).toMatch(/exited 2: .*is not a gate key set/s);
    expect(error).not.toContain(JSON.parse(await readFile(signing, 'utf8')).d);
  });
});

// The pipe stays on the WebSocket API; serve runs over each transport (pulsar:// is the
// recommended service configuration: README "Transports").
describe.each(transportsHere('serve as a process'))(
  'pulsar-gate-service serve over %s, as a process',
  (via) => {
    const topic = topicName(`served-${via}`);
    it('allows and denies for real, serves health and metrics, and stops gracefully on SIGTERM', async () => {
      const policies = await mkdtemp(join(tmpdir(), 'served-policies-'));
      await cp(POLICY_DIR, policies, { recursive: true });
      const stateDir = await mkdtemp(join(tmpdir(), 'served-state-'));
      await startServe({
        ...serveEnv(policies, via, topic),
        STATE_DIR: stateDir,
        AUDIT_CHECKPOINT_INTERVAL: '3600',
      });
      expect(serveOutput()).toMatch(/audit trail [\w-]+ \(audited: production\)/);
      expect((await fetch(`${healthUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${healthUrl}/readyz`)).status).toBe(200);
      const variables = { TOPIC: topic, DECISION_KEYS: join(keysDir, 'decision-keys.json') };
      await expectSampleVerdicts(fixture, topic, join(keysDir, 'decision-keys.json'));
      // A staging step that asks for production: the service names the environment its token
      // proves (Bitbucket's API), not the one the request declares.
      const confused = await fixture.run(undefined, {
        topic,
        token: await fixture.world.issuer.mint({ environment: 'staging', branchName: 'main' }),
        variables: { ...variables, ENVIRONMENT: 'production' },
      });
      expect(confused.code).toBe(1);
      expect(confused.output).toContain(
        '✖ Denied: the step token proves deployment environment "staging" (Staging), but the request asks for "production" — failed at: deployment environment (step token vs request)',
      );
      const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
      expect(metrics).toMatch(/pulsar_gate_decisions_total\{verdict="allow"\} 1/);
      expect(metrics).toMatch(/pulsar_gate_decisions_total\{verdict="deny"\} 2/);
      // SIGHUP reloads the policy directory; one that no longer validates keeps the old set.
      serve?.kill('SIGHUP');
      await waitFor(() => /policy reloaded: /.test(serveOutput()));
      await writeFile(
        join(policies, 'broken.cedar'),
        'permit (principal, action, resource) when { nope };\n',
      );
      serve?.kill('SIGHUP');
      await waitFor(() => /policy reload failed, keeping .*broken\.cedar/.test(serveOutput()));
      const stillServing = await fixture.run(undefined, {
        topic,
        variables: { ...variables, ENVIRONMENT: 'staging' },
      });
      expect(stillServing.code).toBe(0);
      const exited = new Promise<number | null>((resolve) => serve?.once('exit', resolve));
      serve?.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(serveOutput()).toContain('stopped after 4 decisions');
      // The decision log (stdout) holds one line per decision and no token.
      const lines = serveOutput()
        .split('\n')
        .filter((l) => l.includes('"decision"'));
      expect(lines).toHaveLength(4);
      expect(serveOutput()).not.toMatch(/eyJ[\w-]+\.eyJ/);
      // The audit trail: its signed genesis and the checkpoint over it, the four decisions, the
      // checkpoint written at shutdown.
      const verify = await auditVerify(stateDir, join(keysDir, 'decision-keys.json'), 'bundle');
      expect(verify.output).toMatch(/✔ audit trail .*: 7 entries in 1 trail/);
      expect(verify.output).toMatch(/2 checkpoints, last at seq 6\n/);
      expect(verify.code).toBe(0);
    }, 120_000);
  },
);
