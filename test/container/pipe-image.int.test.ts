// The pipe as Bitbucket runs it: its image, started with the step's environment and the clone
// directory mounted as the working directory, against the real broker, issuer and STS.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answer } from '../support/responder.ts';
import { type ImageFixture, type ImageRun, imageFixture } from './image-fixture.ts';
import { describeWithImage } from './pipe-image.ts';
import { runPipeContainer } from './run-container.ts';

await describeWithImage('the pipe image, started the way Bitbucket starts a pipe', (image) => {
  let fixture: ImageFixture;
  beforeAll(async () => {
    fixture = await imageFixture(image);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('allow: exit 0, credentials 0600 in the clone directory, readable by the next script line', async () => {
    const run = await fixture.run(answer('allow'));
    expect(run.output).toMatch(/✔ Allowed by policy prod-deploy/);
    expect(run.code).toBe(0);
    const dir = join(run.cloneDir, '.pulsar-gate');
    const owner = await stat(run.cloneDir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const file of ['aws.env', 'credentials', 'decision.json']) {
      const info = await stat(join(dir, file));
      expect(info.mode & 0o777, file).toBe(0o600);
      // Owned by whoever owns the clone directory: the user the step's next line runs as.
      expect([info.uid, info.gid], file).toEqual([owner.uid, owner.gid]);
    }
    const issued = fixture.world.sts.issued.at(-1);
    // The step's next line, in another container on the same clone directory (as the build
    // container is): `source .pulsar-gate/aws.env`, as the README says.
    const next = await runPipeContainer(
      image,
      {},
      {
        cloneDir: run.cloneDir,
        entrypoint: ['sh', '-c'],
        command: ['. .pulsar-gate/aws.env && echo "$AWS_ACCESS_KEY_ID $AWS_REGION"'],
      },
    );
    expect(next.stdout.trim()).toBe(`${issued?.accessKeyId} eu-west-1`);
    expect(next.code).toBe(0);
  });

  it('deny: exit 1, ✖ with the reason, outcome.json and no credential file', async () => {
    const run = await fixture.run(answer('deny'));
    expect(run.output).toContain('✖ Denied: branch feature/x may not deploy to production');
    expect(run.code).toBe(1);
    expect(await readdir(join(run.cloneDir, '.pulsar-gate'))).toEqual(['outcome.json']);
  });

  it('bad variables: exit 2, one line per variable, before any network call', async () => {
    const calls = fixture.world.sts.calls.length;
    const run = await fixture.run(undefined, {
      variables: { PULSAR_URL: 'ftp://broker.example', SESSION_DURATION: '5' },
    });
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/PULSAR_URL/);
    expect(run.output).toMatch(/SESSION_DURATION/);
    expect(fixture.world.sts.calls.length).toBe(calls);
    expect(await readdir(run.cloneDir)).toEqual([]);
  });

  it('no `oidc: true` (no step token): exit 3, failed at the step OIDC token', async () => {
    const run = await fixture.run(answer('allow'), { token: null });
    expect(run.code).toBe(3);
    expect(run.output).toMatch(/failed at: step OIDC token/);
    expect(run.output).toMatch(/oidc: true/);
    expect(await readdir(join(run.cloneDir, '.pulsar-gate'))).toEqual(['outcome.json']);
  });

  it('DEBUG=true prints detail and no secret, in the log or any file but the credential files', async () => {
    const run: ImageRun = await fixture.run(answer('allow'), { variables: { DEBUG: 'true' } });
    expect(run.code).toBe(0);
    expect(run.output).toContain('[debug]');
    const issued = fixture.world.sts.issued.at(-1);
    const secrets = [
      run.env.BITBUCKET_STEP_OIDC_TOKEN,
      run.env.PULSAR_TOKEN,
      issued?.accessKeyId,
      issued?.secretAccessKey,
      issued?.sessionToken,
    ].filter((s): s is string => Boolean(s));
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(run.output).not.toContain(secret);
    const decision = await readFile(join(run.cloneDir, '.pulsar-gate', 'decision.json'), 'utf8');
    for (const secret of secrets) expect(decision).not.toContain(secret);
  });
});
