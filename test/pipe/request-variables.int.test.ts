import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';

let fixture: PipeFixture;
beforeAll(async () => {
  fixture = await pipeFixture();
});
afterAll(async () => {
  await fixture?.close();
});

describe('bad pipe variables, through the real entrypoint', () => {
  it.each([
    ['PULSAR_URL', { PULSAR_URL: 'smtp://x' }],
    ['TOPIC', { TOPIC: 'not/valid' }],
    ['REPLY_TOPIC', { REPLY_TOPIC: 'a b' }],
    ['ROLE', { ROLE: 'admin' }],
    ['ACTION', { ACTION: 'rm-rf' }],
    ['ENVIRONMENT', { ENVIRONMENT: 'prod;rm' }],
    ['AWS_REGION', { AWS_REGION: 'EU' }],
    ['SESSION_DURATION', { SESSION_DURATION: '50000' }],
    ['SESSION_POLICY', { SESSION_POLICY: '[' }],
    ['SESSION_POLICY_ARNS', { SESSION_POLICY_ARNS: 'nope' }],
    ['SESSION_NAME', { SESSION_NAME: 'x' }],
    ['TIMEOUT', { TIMEOUT: '10m' }],
    ['DEBUG', { DEBUG: 'loud' }],
    ['AWS_ENDPOINT_URL_STS', { AWS_ENDPOINT_URL_STS: 'file:///etc/passwd' }],
    ['PULSAR_NAMESPACE', { PULSAR_NAMESPACE: 'onlyone' }],
  ])('%s: exit 2 with one line naming it', async (name, variables) => {
    const run = await fixture.run(undefined, { variables });
    expect(run.code).toBe(2);
    expect(run.output).toMatch(new RegExp(`✖ ${name}: .*; accepts `));
  });

  it('missing required variables are all reported together', async () => {
    const run = await fixture.run(undefined, {
      variables: { PULSAR_URL: '', TOPIC: '', ROLE: '', DECISION_KEYS: '' },
    });
    expect(run.code).toBe(2);
    for (const name of ['PULSAR_URL', 'TOPIC', 'ROLE', 'DECISION_KEYS'])
      expect(run.output).toContain(`✖ ${name}: is required`);
  });

  it('DECISION_KEYS that hold a private key: exit 2, and the key is never printed', async () => {
    const run = await fixture.run(undefined, {
      variables: { DECISION_KEYS: JSON.stringify({ keys: [fixture.world.serviceKey] }) },
    });
    expect(run.code).toBe(2);
    expect(run.output).toContain('private key');
    expect(run.output).not.toContain(String(fixture.world.serviceKey.d));
  });

  it('DECISION_KEYS without an encryption key: exit 2 in one line, before STS sees the token and nothing published', async () => {
    const signingOnly = JSON.parse(fixture.world.decisionKeys) as { keys: Array<{ use?: string }> };
    const keys = signingOnly.keys.filter((key) => key.use !== 'enc');
    const stsCalls = fixture.world.sts.calls.length;
    let requested = 0;
    const run = await fixture.run(
      async () => {
        requested++;
      },
      { variables: { DECISION_KEYS: JSON.stringify({ keys }) } },
    );
    expect(run.code).toBe(2);
    expect(run.output).toMatch(
      /✖ .*DECISION_KEYS from inline JSON holds no current encryption key \(use "enc", alg ECDH-ES\+A256KW\)[^\n]*— failed at: DECISION_KEYS\n/,
    );
    expect(fixture.world.sts.calls.length).toBe(stsCalls);
    expect(requested).toBe(0);
  });

  it('DECISION_KEYS pointing at a missing file: exit 2 naming it', async () => {
    const run = await fixture.run(undefined, { variables: { DECISION_KEYS: '/nonexistent/keys.json' } });
    expect(run.code).toBe(2);
    expect(run.output).toContain('/nonexistent/keys.json');
  });
});
