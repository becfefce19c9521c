import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PipeFixture } from './pipe-fixture.ts';
import { runPipe } from './run-pipe.ts';
import { localServeEnv, type ServeProcess, spawnServe } from './serve-process.ts';
import { POLICY_DIR } from './service-fixture.ts';

/** `serve` as a process with fresh keys, the sample policies and approvals on (APPROVER_* in `env`). */
export async function serveWithApprovals(fixture: PipeFixture, topic: string, env: Record<string, string>) {
  const keysDir = await mkdtemp(join(tmpdir(), 'keys-'));
  expect((await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', '--out', keysDir] })).code).toBe(0);
  const serving: ServeProcess = spawnServe({
    ...localServeEnv({
      pulsarUrl: fixture.broker.webSocketUrl,
      topic,
      keysDir,
      policyDir: POLICY_DIR,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: fixture.broker.adminToken ?? '',
    APPROVER_BITBUCKET_CLAIM: 'bitbucket_account',
    ...env,
  });
  const health = await serving.ready;
  return {
    serving,
    health,
    /** A provision of production from main, as a pipe asks it: pending until someone approves. */
    provision: async () =>
      fixture.run(undefined, {
        topic,
        variables: {
          TOPIC: topic,
          ACTION: 'provision',
          TIMEOUT: '90',
          DECISION_KEYS: await readFile(join(keysDir, 'decision-keys.json'), 'utf8'),
        },
      }),
    stop: async () => {
      serving.child.kill('SIGTERM');
      await serving.exited;
    },
  };
}
