// A decision service that is the gate's OIDC issuer (issue 14), run as operators run it:
// `keys generate` and `keys generate --gate` through the CLI, then `serve` as a process with
// GATE_ISSUER on its own HTTP port, and an STS peer that trusts that issuer — it fetches the
// discovery document and JWKS from `serve`, as AWS would.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { gateRole } from '../deploy/gate-role.ts';
import { freePort } from '../peers/pulsar/ports.ts';
import { type StsPeer, startSts } from '../peers/sts/server.ts';
import { topicName } from '../transport/contract.ts';
import type { PipeFixture } from './pipe-fixture.ts';
import { runPipe } from './run-pipe.ts';
import { localServeEnv, type ServeProcess, spawnServe } from './serve-process.ts';
import { POLICY_DIR } from './service-fixture.ts';

// The roles deploy/aws/gate-deploy-role.yaml creates as stacks pulsar-gate-<environment>
// (CloudFormation names an unnamed role <stack>-<logical id>-<suffix>).
export const PRODUCTION_ROLE =
  'arn:aws:iam::123456789012:role/pulsar-gate-production-DeployRole-A1B2C3D4E5F6';
export const STAGING_ROLE = 'arn:aws:iam::123456789012:role/pulsar-gate-staging-DeployRole-A1B2C3D4E5F6';

export interface GateService {
  readonly issuer: string;
  readonly keysDir: string;
  readonly topic: string;
  readonly decisionKeys: string;
  readonly sts: StsPeer;
  readonly serve: ServeProcess;
  /** The pipe variables of a gate-mode run against this service and STS. */
  variables(role?: string): Record<string, string>;
  close(): Promise<void>;
}

/**
 * An STS peer with the AWS side exactly as operators deploy it: deploy/aws's CloudFormation
 * provider and roles for production and staging (trust only the gate issuer, `sub` pinned,
 * environment and repository tags checked). Bitbucket's provider stays registered, so a step
 * that skips the pipe can present its own token, and be refused.
 */
export async function startGatedSts(
  issuer: string,
  bitbucket: { url: string; audience: string; repositoryUuid: string },
): Promise<StsPeer> {
  const [production, staging] = await Promise.all(
    ['production', 'staging'].map((environment) =>
      gateRole({ issuerUrl: issuer, repositoryUuid: bitbucket.repositoryUuid, environment }),
    ),
  );
  if (production?.role.arn !== PRODUCTION_ROLE || staging?.role.arn !== STAGING_ROLE) {
    throw new Error('deploy/aws/gate-deploy-role.yaml names its roles differently now');
  }
  return startSts({
    issuers: [{ url: bitbucket.url, clientIds: [bitbucket.audience] }, production.provider],
    roles: [production.role, staging.role],
  });
}

export async function startGateService(
  fixture: PipeFixture,
  options: { tokenTtlSeconds?: number } = {},
): Promise<GateService> {
  const keysDir = await mkdtemp(join(tmpdir(), 'gate-keys-'));
  for (const args of [
    ['--out', keysDir],
    ['--out', keysDir, '--gate'],
  ]) {
    const made = await runPipe({}, { cwd: keysDir, args: ['keys', 'generate', ...args] });
    expect(made.code, made.output).toBe(0);
  }
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const topic = topicName('gated');
  const { issuer: bitbucket } = fixture.world;
  const sts = await startGatedSts(issuer, bitbucket);
  const serve = spawnServe({
    ...localServeEnv({
      pulsarUrl: fixture.broker.webSocketUrl,
      topic,
      keysDir,
      policyDir: POLICY_DIR,
      issuer: bitbucket,
      bitbucket: fixture.world.bitbucket,
    }),
    PULSAR_TOKEN: fixture.broker.adminToken ?? '',
    HTTP_PORT: String(port),
    GATE_ISSUER: issuer,
    ...(options.tokenTtlSeconds ? { GATE_TOKEN_TTL: String(options.tokenTtlSeconds) } : {}),
  });
  await serve.ready;
  const decisionKeys = await readFile(join(keysDir, 'decision-keys.json'), 'utf8');
  return {
    issuer,
    keysDir,
    topic,
    decisionKeys,
    sts,
    serve,
    variables: (role = PRODUCTION_ROLE) => ({
      TOPIC: topic,
      DECISION_KEYS: JSON.stringify(JSON.parse(decisionKeys)),
      ROLE: role,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      CREDENTIALS: 'gate',
    }),
    close: async () => {
      serve.child.kill('SIGTERM');
      await Promise.race([serve.exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      serve.child.kill('SIGKILL');
      await sts.close();
    },
  };
}
