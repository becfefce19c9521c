import { mkdir, mkdtemp, readdir, readFile, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureRun, type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { answer } from '../support/responder.ts';

let fixture: PipeFixture;
beforeAll(async () => {
  fixture = await pipeFixture();
});
afterAll(async () => {
  await fixture?.close();
});

/** Every secret this run could have leaked: the step token, the Pulsar token, every issued credential. */
function secretsOf(run: FixtureRun): string[] {
  const issued = fixture.world.sts.issued.flatMap((c) => [c.accessKeyId, c.secretAccessKey, c.sessionToken]);
  return [run.env.BITBUCKET_STEP_OIDC_TOKEN, run.env.PULSAR_TOKEN, ...issued].filter((s): s is string =>
    Boolean(s),
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function expectNoSecretLeaked(run: FixtureRun): Promise<void> {
  const secrets = secretsOf(run);
  expect(secrets.length).toBeGreaterThanOrEqual(2);
  for (const secret of secrets) expect(run.output).not.toContain(secret);
  // Every file the pipe wrote, except the two whose job is to hold the credentials.
  for (const file of await filesUnder(run.cloneDir)) {
    if (file.endsWith('/aws.env') || file.endsWith('/credentials')) continue;
    const text = await readFile(file, 'utf8');
    for (const secret of secrets) expect(text, file).not.toContain(secret);
  }
}

describe('P5: no token or key appears in any output or file but the credential files', () => {
  it.each(['false', 'true'])('allow with DEBUG=%s', async (debug) => {
    const run = await fixture.run(answer('allow'), { variables: { DEBUG: debug } });
    expect(run.code).toBe(0);
    if (debug === 'true') expect(run.output).toContain('[debug]');
    await expectNoSecretLeaked(run);
  });

  it('deny, STS failure, Pulsar refusal and timeout with DEBUG=true', async () => {
    const runs = [
      await fixture.run(answer('deny'), { variables: { DEBUG: 'true' } }),
      await fixture.run(undefined, {
        variables: { DEBUG: 'true', ROLE: 'arn:aws:iam::123456789012:role/nope' },
      }),
      await fixture.run(undefined, {
        variables: { DEBUG: 'true', PULSAR_TOKEN: `${fixture.broker.adminToken ?? 'x'}x` },
      }),
      await fixture.run(async () => {}, { variables: { DEBUG: 'true', TIMEOUT: '1' } }),
    ];
    expect(runs.map((r) => r.code)).toEqual([1, 3, 5, 4]);
    for (const run of runs) await expectNoSecretLeaked(run);
  });
});

describe('OUTPUT_DIR', () => {
  it('refuses a symbolic link in its place and writes nothing through it', async () => {
    const target = await mkdtemp(join(tmpdir(), 'pulsar-gate-target-'));
    const clone = await fixture.world.cloneDir();
    await symlink(target, join(clone, 'out'));
    const run = await fixture.run(answer('allow'), { variables: { OUTPUT_DIR: join(clone, 'out') } });
    expect(run.code).toBe(2);
    expect(run.output).toContain('is a symbolic link');
    expect(await readdir(target)).toEqual([]);
  });

  it('tightens an existing directory to 0700', async () => {
    const clone = await fixture.world.cloneDir();
    const out = join(clone, 'existing');
    await mkdir(out, { mode: 0o755 });
    const run = await fixture.run(answer('allow'), { variables: { OUTPUT_DIR: out } });
    expect(run.code).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    expect((await stat(join(out, 'aws.env'))).mode & 0o777).toBe(0o600);
  });
});
