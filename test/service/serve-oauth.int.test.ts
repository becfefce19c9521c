// Issue 5 §3 through the real entrypoint: `pulsar-gate-service serve` with OAUTH_* options gets its
// Pulsar access token from the tests' OAuth 2.0 provider, and bad OAuth input fails the start
// with one line per problem, never printing the client secret.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerInfo } from '../support/broker.ts';
import { grantService } from '../support/grants.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { localServeEnv, spawnServe } from '../support/serve-process.ts';
import { POLICY_DIR } from '../support/service-fixture.ts';
import { topicName } from '../transport/contract.ts';

const identity = brokerInfo().identity;
if (identity === undefined) console.warn('skipping: the broker does not trust the tests’ OAuth provider');

describe.skipIf(identity === undefined)('pulsar-gate-service serve with OAuth 2.0 client credentials', () => {
  let fixture: PipeFixture;
  let dir: string;
  const topic = topicName('served-oauth');

  beforeAll(async () => {
    fixture = await pipeFixture();
    dir = await mkdtemp(join(tmpdir(), 'serve-oauth-'));
    const keys = await runPipe({}, { cwd: dir, args: ['keys', 'generate', '--out', dir] });
    expect(keys.code).toBe(0);
    await writeFile(join(dir, 'secret'), `${identity?.service.clients.service.clientSecret}\n`, {
      mode: 0o600,
    });
    await writeFile(join(dir, 'wrong'), 'not-the-secret\n', { mode: 0o600 });
  }, 120_000);
  afterAll(() => fixture?.close());

  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    ...localServeEnv({
      pulsarUrl: brokerInfo().webSocketUrl,
      topic,
      keysDir: dir,
      policyDir: POLICY_DIR,
      issuer: fixture.world.issuer,
      bitbucket: fixture.world.bitbucket,
    }),
    OAUTH_ISSUER: identity?.service.issuer ?? '',
    OAUTH_CLIENT_ID: identity?.service.clients.service.clientId ?? '',
    OAUTH_CLIENT_SECRET_FILE: join(dir, 'secret'),
    OAUTH_AUDIENCE: identity?.service.audience ?? '',
    ...overrides,
  });

  it('serves with an access token from the provider, as its role, and decides', async () => {
    await grantService({ topic, replyTopic: `${topic}-replies` }, identity?.service.role);
    const serve = spawnServe(env());
    try {
      await serve.ready;
      expect(serve.output()).toContain(
        `Pulsar credential: OAuth client ${identity?.service.clients.service.clientId}`,
      );
      const run = await fixture.run(undefined, {
        topic,
        variables: { DECISION_KEYS: join(dir, 'decision-keys.json'), ENVIRONMENT: 'staging' },
      });
      expect(run.output).toMatch(/✔ Allowed/);
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    }
    expect(serve.output()).not.toContain(identity?.service.clients.service.clientSecret);
    expect(serve.output()).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('a wrong client secret stops the start with a line naming the client, not the secret', async () => {
    const serve = spawnServe(env({ OAUTH_CLIENT_SECRET_FILE: join(dir, 'wrong') }));
    expect(await serve.exited).not.toBe(0);
    // The client id is random: compare it as a literal, never as a pattern of its spelling.
    const clientId = identity?.service.clients.service.clientId ?? '';
    const lines = serve
      .output()
      .split('\n')
      .filter((l) => l.startsWith('✖ serve: '));
    expect(lines.some((l) => l.includes(`client "${clientId}"`) && l.includes('invalid_client'))).toBe(true);
    expect(serve.output()).not.toContain('not-the-secret');
  });

  it('incomplete or conflicting OAuth options: exit 2, every problem named', async () => {
    const partial = spawnServe(env({ OAUTH_CLIENT_ID: '', OAUTH_CLIENT_SECRET_FILE: '', PULSAR_TOKEN: 'x' }));
    expect(await partial.exited).toBe(2);
    expect(partial.output()).toContain('✖ serve: OAUTH_CLIENT_ID: is required with the other OAUTH_ options');
    expect(partial.output()).toContain('✖ serve: OAUTH_CLIENT_SECRET_FILE: is required');
    expect(partial.output()).toContain('✖ serve: PULSAR_TOKEN: cannot be used with OAUTH_ISSUER');
    const missing = spawnServe(env({ OAUTH_CLIENT_SECRET_FILE: join(dir, 'absent') }));
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toContain(
      `✖ serve: OAUTH_CLIENT_SECRET_FILE: cannot read ${join(dir, 'absent')} (ENOENT)`,
    );
  });
});
