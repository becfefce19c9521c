// `npm run stack` on the run's broker (PULSAR_URL): two `serve` replicas come up (containers
// of the service image where the engine is, processes otherwise), both answer real pipes, and
// `npm run stack -- down` takes them away again.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../peers/pulsar/ports.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runProcess } from '../support/run-process.ts';
import { topicName } from '../transport/contract.ts';

const STACK = fileURLToPath(new URL('../../scripts/stack/main.ts', import.meta.url));

let fixture: PipeFixture;
let dir: string;
let env: Record<string, string>;
const topic = topicName('stack');

async function stack(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runProcess(process.execPath, [STACK, ...args], { env, timeout: 150_000 });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** decisions_total of one replica, all verdicts. */
async function decisions(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^pulsar_gate_decisions_total\{[^}]*\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

beforeAll(async () => {
  fixture = await pipeFixture();
  dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-stack-'));
  await writeFile(join(dir, 'pulsar-token'), fixture.broker.adminToken ?? '', { mode: 0o600 });
  await writeFile(join(dir, 'bitbucket-token'), fixture.world.bitbucket.BITBUCKET_TOKEN ?? '', {
    mode: 0o600,
  });
  // Two free ports in a row for the two replicas (host networking).
  let base = await freePort();
  while (!(await canListen(base + 1))) base = await freePort();
  const engine = inject('containerEngine');
  env = {
    // The machine's own settings too (npm's CA for the image build, the engine's variables).
    ...Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    ...(engine.ok ? engine.env : { PULSAR_GATE_ENGINE: 'none' }),
    ...(process.env.CONTAINERS_CONF ? { CONTAINERS_CONF: process.env.CONTAINERS_CONF } : {}),
    PULSAR_GATE_STACK_DIR: join(dir, 'stack'),
    PULSAR_URL: fixture.broker.webSocketUrl,
    PULSAR_TOKEN_FILE: join(dir, 'pulsar-token'),
    TOPICS: topic,
    OIDC_ISSUERS: fixture.world.issuer.url,
    OIDC_AUDIENCES: fixture.world.issuer.audience,
    ALLOW_INSECURE_ISSUER: 'true',
    BITBUCKET_API_URL: fixture.world.bitbucket.BITBUCKET_API_URL ?? '',
    BITBUCKET_TOKEN_FILE: join(dir, 'bitbucket-token'),
    STACK_HTTP_PORT: String(base),
  };
}, 60_000);
afterAll(async () => {
  await stack('down');
  await fixture?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run stack', () => {
  it('refuses to start without the issuer and audience, naming them', async () => {
    const { OIDC_ISSUERS: _i, OIDC_AUDIENCES: _a, ...rest } = env;
    const saved = env;
    env = rest;
    try {
      const result = await stack();
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/OIDC_ISSUERS is required/);
      expect(result.stderr).toMatch(/OIDC_AUDIENCES is required/);
    } finally {
      env = saved;
    }
  });

  it('comes up with two replicas that both answer real pipes, and goes down', async () => {
    const up = await stack();
    expect(up.stderr + up.stdout).toContain('pulsar-gate stack is up: 2 serve replicas');
    expect(up.code).toBe(0);
    if (inject('containerEngine').ok) expect(up.stdout).toMatch(/replica 2 +container pulsar-gate-stack-/);
    const ports = [...up.stdout.matchAll(/http:\/\/127\.0\.0\.1:(\d+)\/healthz/g)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(2);
    const keys = /\(the file: (.+decision-keys\.json)\)/.exec(up.stdout)?.[1] ?? '';
    expect(up.stdout).toContain(`TOPIC:         ${topic}`);
    // Pipes as the printout says to point them. Key_Shared gives each step (a random uuid) to
    // one replica by its hash: pairs of pipes run until both replicas have answered, at most 10
    // pairs (all 20 to one replica: a chance of 2^-19), rather than betting on a fixed few.
    const variables = { TOPIC: topic, DECISION_KEYS: keys, ENVIRONMENT: 'staging' };
    let ran = 0;
    let counts = [0, 0];
    for (let round = 0; round < 10 && counts.some((count) => count === 0); round++) {
      const runs = await Promise.all([1, 2].map(() => fixture.run(undefined, { topic, variables })));
      for (const result of runs) {
        expect(result.output).toContain('✔ Allowed by policy staging-any-branch');
        expect(result.code).toBe(0);
      }
      ran += runs.length;
      counts = await Promise.all(ports.map(decisions));
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ran);
    for (const count of counts) expect(count).toBeGreaterThan(0);

    const down = await stack('down');
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/stopped 2 replicas/);
    for (const port of ports) {
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    }
  }, 240_000);
});
