import { readdir } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { braceUuid } from '../peers/oidc/claims.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { answer } from '../support/responder.ts';

let fixture: PipeFixture;
beforeAll(async () => {
  fixture = await pipeFixture();
});
afterAll(async () => {
  await fixture?.close();
});

const policyOfSize = (resources: number): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: Array.from({ length: resources }, (_, i) => `arn:aws:s3:::b/${i}`),
      },
    ],
  });
const tenArns = Array.from(
  { length: 10 },
  (_, i) => `arn:aws:iam::123456789012:policy/deploy-policy-number-${i}`,
).join(',');

describe('P6: identity failures exit 3 and name the path that failed', () => {
  it('no `oidc: true`: exit 3 with the fix', async () => {
    const run = await fixture.run(undefined, { token: null });
    expect(run.code).toBe(3);
    expect(run.output).toContain('— failed at: step OIDC token');
    expect(run.output).toContain('hint: add `oidc: true` to the step');
  });

  it('a token that is not a JWT: exit 3', async () => {
    const run = await fixture.run(undefined, { variables: { BITBUCKET_STEP_OIDC_TOKEN: 'not-a-jwt' } });
    expect(run.code).toBe(3);
    expect(run.output).toContain('is not a JWT');
  });

  it('an expired token: exit 3, before anything is asked of AWS', async () => {
    const calls = fixture.world.sts.calls.length;
    const run = await fixture.run(undefined, {
      token: await fixture.world.issuer.mint({ expiresInSeconds: -60 }),
    });
    expect(run.code).toBe(3);
    expect(run.output).toMatch(/expired \d+ s ago/);
    expect(fixture.world.sts.calls.length).toBe(calls);
  });

  it('a token that expires before TIMEOUT: a warning, and the gate still runs', async () => {
    const run = await fixture.run(answer('allow'), {
      token: await fixture.world.issuer.mint({ expiresInSeconds: 120 }),
      variables: { TIMEOUT: '600' },
    });
    expect(run.output).toMatch(/⚠ The step token expires in 1[12]\d s, before TIMEOUT \(600 s\)/);
    expect(run.code).toBe(0);
  });

  it('audience not registered with the IAM OIDC provider: names the audience', async () => {
    const run = await fixture.run(undefined, {
      token: await fixture.world.issuer.mint({ aud: 'ari:cloud:bitbucket::workspace/other' }),
    });
    expect(run.code).toBe(3);
    expect(run.output).toContain('AWS rejected the token\'s audience "ari:cloud:bitbucket::workspace/other"');
    expect(run.output).toContain('failed at: AWS IAM OIDC provider (audience)');
  });

  it('trust policy does not match sub: shows the token sub and the pattern the role needs', async () => {
    const token = await fixture.world.issuer.mint({ repositoryUuid: braceUuid() });
    const run = await fixture.run(undefined, { token });
    expect(run.code).toBe(3);
    expect(run.output).toContain('failed at: AWS role trust policy (sub)');
    expect(run.output).toMatch(/token sub: \{[0-9a-f-]+\}:\{[0-9a-f-]+\}:\{[0-9a-f-]+\}/);
    expect(run.output).toContain('{repositoryUuid}:*');
  });

  it('unknown role: exit 3 naming the role', async () => {
    const run = await fixture.run(undefined, {
      variables: { ROLE: 'arn:aws:iam::123456789012:role/does-not-exist' },
    });
    expect(run.code).toBe(3);
    expect(run.output).toContain('arn:aws:iam::123456789012:role/does-not-exist: the role does not exist');
  });

  it("malformed session policy: AWS's reason and the variable", async () => {
    const run = await fixture.run(undefined, {
      variables: { SESSION_POLICY: '{"Statement":[{"Effect":"Allow"}]}' },
    });
    expect(run.code).toBe(3);
    expect(run.output).toContain('AWS rejected SESSION_POLICY: Missing required field Version');
    expect(run.output).toContain('failed at: SESSION_POLICY');
  });

  it('session policy too large once packed', async () => {
    const policy = policyOfSize(95);
    expect(policy.length).toBeLessThanOrEqual(2048);
    const run = await fixture.run(undefined, {
      variables: { SESSION_POLICY: policy, SESSION_POLICY_ARNS: tenArns },
    });
    expect(run.code).toBe(3);
    expect(run.output).toContain('too large');
  });

  it('session longer than the role allows', async () => {
    const run = await fixture.run(undefined, { variables: { SESSION_DURATION: '7200' } });
    expect(run.code).toBe(3);
    expect(run.output).toContain('MaxSessionDuration');
  });

  it('STS throttling is retried with jitter and the gate still passes', async () => {
    fixture.world.sts.failNext(2, 'Throttling');
    const run = await fixture.run(answer('allow'), { variables: { DEBUG: 'true' } });
    expect(run.code).toBe(0);
    expect(run.output.match(/STS attempt \d failed \(Throttling\); retrying/g)).toHaveLength(2);
  });

  it('an STS that stays unavailable fails closed with exit 3 and writes nothing', async () => {
    fixture.world.sts.failNext(1_000, 'ServiceUnavailable');
    const run = await fixture.run(answer('allow'), { variables: { TIMEOUT: '3' } });
    fixture.world.sts.failNext(0, 'ServiceUnavailable');
    expect(run.code).toBe(3);
    expect(run.output).toContain('failed at: AWS STS');
    // No credential file: only the outcome of the run.
    expect(await readdir(join(run.cloneDir, '.pulsar-gate'))).toEqual(['outcome.json']);
  }, 120_000);

  it('an STS that takes the connection and never answers fails closed within the budget', async () => {
    // Without a deadline on each attempt, the SDK would wait out its 300 s socket timeout.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const run = await fixture.run(answer('allow'), {
        variables: { TIMEOUT: '3', AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` },
      });
      expect(run.code).toBe(3);
      expect(run.output).toMatch(/AWS STS at http:\/\/127\.0\.0\.1:\d+ did not answer within 3 s/);
      expect(run.output).toContain('failed at: AWS STS');
      expect(run.ms).toBeLessThan(15_000);
      expect(held.length).toBeGreaterThan(0);
      // No credential file: only the outcome of the run.
      expect(await readdir(join(run.cloneDir, '.pulsar-gate'))).toEqual(['outcome.json']);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  }, 60_000);
});
