import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { answer } from '../support/responder.ts';

let fixture: PipeFixture;
beforeAll(async () => {
  fixture = await pipeFixture();
});
afterAll(async () => {
  await fixture?.close();
});

/** stdout must be exactly one JSON document: what a script reads. */
function document(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('OUTPUT_FORMAT=json: one outcome document on stdout, the step log on stderr', () => {
  it('allow: the outcome, request id, policies and where the credentials are, no secret', async () => {
    const run = await fixture.run(answer('allow'), { variables: { OUTPUT_FORMAT: 'json' } });
    expect(run.code).toBe(0);
    const doc = document(run.stdout);
    expect(doc).toMatchObject({
      outcome: 'allowed',
      exitCode: 0,
      policies: ['prod-deploy'],
      credentials: {
        awsEnv: '.pulsar-gate/aws.env',
        sharedCredentialsFile: '.pulsar-gate/credentials',
        profile: 'pulsar-gate',
      },
    });
    expect(doc.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stderr).toMatch(/✔ Allowed by policy prod-deploy/);
    const issued = fixture.world.sts.issued.at(-1);
    for (const secret of [issued?.secretAccessKey, issued?.sessionToken, issued?.accessKeyId])
      expect(run.output).not.toContain(secret);
    expect(run.output).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('deny: the reasons and the failed path, exit 1, nothing written', async () => {
    const run = await fixture.run(answer('deny', { reasons: ['only main deploys to production'] }), {
      variables: { OUTPUT_FORMAT: 'json' },
    });
    expect(run.code).toBe(1);
    expect(document(run.stdout)).toMatchObject({
      outcome: 'denied',
      exitCode: 1,
      code: 'DENIED',
      reasons: ['only main deploys to production'],
    });
    expect(run.stderr).toMatch(/✖ Denied: only main deploys to production/);
  });

  it('a configuration problem is a document too (exit 2), naming every problem', async () => {
    const run = await fixture.run(undefined, {
      variables: { OUTPUT_FORMAT: 'json', TIMEOUT: 'soon', SESSION_DURATION: '5' },
    });
    expect(run.code).toBe(2);
    const doc = document(run.stdout);
    expect(doc).toMatchObject({ outcome: 'failed', exitCode: 2, code: 'CONFIG_INVALID' });
    expect((doc.reasons as string[]).some((r) => r.startsWith('TIMEOUT:'))).toBe(true);
    expect((doc.reasons as string[]).some((r) => r.startsWith('SESSION_DURATION:'))).toBe(true);
  });

  it('an unknown format is refused, naming the variable', async () => {
    const run = await fixture.run(undefined, { variables: { OUTPUT_FORMAT: 'yaml' } });
    expect(run.code).toBe(2);
    expect(run.output).toContain('OUTPUT_FORMAT:');
  });
});
