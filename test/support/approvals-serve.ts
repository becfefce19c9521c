import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { freePort } from '../peers/pulsar/ports.ts';
import type { StsPeer } from '../peers/sts/server.ts';
import { PRODUCTION_ROLE, startGatedSts } from './gate-service.ts';
import type { PipeFixture } from './pipe-fixture.ts';
import { runPipe } from './run-pipe.ts';
import { localServeEnv, type ServeProcess, spawnServe } from './serve-process.ts';
import { POLICY_DIR } from './service-fixture.ts';

/**
 * `serve` as a process with fresh keys, the sample policies and approvals on (APPROVER_* in
 * `env`). With `gate`, it is also the gate's OIDC issuer on its HTTP port, with an STS peer
 * holding deploy/aws's roles, and the pipe runs in gate mode (issue 14 with issue 16).
 */
export async function serveWithApprovals(
  fixture: PipeFixture,
  topic: string,
  env: Record<string, string>,
  options: { gate?: boolean; policyDir?: string } = {},
) {
  const keysDir = await mkdtemp(join(tmpdir(), 'keys-'));
  expect((await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir] })).code).toBe(0);
  let gate: { env: Record<string, string>; sts: StsPeer } | undefined;
  if (options.gate) {
    const made = await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir, '--gate'] });
    expect(made.code, made.output).toBe(0);
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    gate = {
      env: { HTTP_PORT: String(port), GATE_ISSUER: issuer },
      sts: await startGatedSts(issuer, fixture.world.issuer),
    };
  }
  const serving: ServeProcess = spawnServe({
    ...localServeEnv({
      pulsarUrl: fixture.broker.webSocketUrl,
      topic,
      keysDir,
      policyDir: options.policyDir ?? POLICY_DIR,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: fixture.broker.adminToken ?? '',
    APPROVER_BITBUCKET_CLAIM: 'bitbucket_account',
    ...env,
    ...gate?.env,
  });
  const health = await serving.ready;
  return {
    serving,
    health,
    /** Its keys directory (`keys generate --out`), for `keys rotate`. */
    keysDir,
    /** A provision of production from main, as a pipe asks it: pending until someone approves. */
    provision: async () =>
      fixture.run(undefined, {
        topic,
        variables: {
          TOPIC: topic,
          ACTION: 'provision',
          TIMEOUT: '90',
          DECISION_KEYS: await readFile(join(keysDir, 'decision-keys.json'), 'utf8'),
          ...(gate
            ? { CREDENTIALS: 'gate', ROLE: PRODUCTION_ROLE, AWS_ENDPOINT_URL_STS: gate.sts.endpoint }
            : {}),
        },
      }),
    /** The STS peer of a gate-mode service. */
    sts: gate?.sts,
    stop: async () => {
      serving.child.kill('SIGTERM');
      await serving.exited;
      await gate?.sts.close();
    },
  };
}
