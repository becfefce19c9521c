import {
  type AssumeRoleWithWebIdentityCommandInput,
  ExpiredTokenException,
  IDPCommunicationErrorException,
  InvalidIdentityTokenException,
  MalformedPolicyDocumentException,
  PackedPolicyTooLargeException,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  DEPLOY_ROLE,
  FOREIGN_ROLE,
  type Harness,
  LONG_ROLE,
  OTHER_AUD_ROLE,
  rejection,
  startHarness,
} from './harness.ts';

describe('STS peer: AWS error codes as the real SDK surfaces them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  const lastCall = () => h.sts.calls.at(-1);

  it('InvalidIdentityToken: unknown issuer, forged or unsecured token, unregistered audience', async () => {
    const forged = [
      await h.issuer.mint({
        iss: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
      }),
      await h.issuer.mint({ signWith: 'unknown-key' }),
      await h.issuer.mint({ signWith: 'unknown-key-same-kid' }),
      await h.issuer.mint({ alg: 'HS256' }),
      await h.issuer.mint({ alg: 'none' }),
      'not-a-jwt',
      await h.issuer.mint({ aud: 'ari:cloud:bitbucket::workspace/someone-else' }),
    ];
    const messages: string[] = [];
    for (const token of forged) {
      const error = await rejection(h.assume({ WebIdentityToken: token }));
      expect(error).toBeInstanceOf(InvalidIdentityTokenException);
      expect(error.name).toBe('InvalidIdentityTokenException');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
      messages.push(error.message);
    }
    expect(messages[0]).toBe(
      'No OpenIDConnect provider found in your account for https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
    );
    expect(messages.at(-1)).toBe('Incorrect token audience');
  });

  it('ExpiredTokenException for a correctly signed token past its exp', async () => {
    const error = await rejection(
      h.assume({ WebIdentityToken: await h.issuer.mint({ expiresInSeconds: -120 }) }),
    );
    expect(error).toBeInstanceOf(ExpiredTokenException);
    expect(error.message).toMatch(
      /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
    );
  });

  it('IDPCommunicationError when the JWKS answers 5xx or hangs, retried by the SDK', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/cold`;
    for (const failure of [503, 'hang'] as const) {
      h.coldIssuer.setJwksFailure(failure);
      const token = await h.coldIssuer.mint();
      const error = await rejection(h.assume({ RoleArn: role, WebIdentityToken: token }, h.client()));
      expect(error).toBeInstanceOf(IDPCommunicationErrorException);
      expect(error.$metadata.attempts).toBe(3);
      expect(lastCall()?.reason).toMatch(failure === 503 ? /HTTP 503/ : /TimeoutError|aborted/i);
    }
    h.coldIssuer.setJwksFailure(null);
    await expect(
      h.assume({ RoleArn: role, WebIdentityToken: await h.coldIssuer.mint() }),
    ).resolves.toBeDefined();
  });

  it('AccessDenied (403, no modelled class) for unknown roles and failed trust conditions', async () => {
    const cases = [
      { RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope`, reason: /no role/ },
      { RoleArn: FOREIGN_ROLE, reason: /account 999999999999/ },
      { RoleArn: OTHER_AUD_ROLE, reason: /aud/ },
      { RoleArn: DEPLOY_ROLE, token: { deploymentEnvironmentUuid: null }, reason: /sub/ },
    ];
    for (const { RoleArn, token, reason } of cases) {
      const error = await rejection(h.assume({ RoleArn, WebIdentityToken: await h.issuer.mint(token) }));
      expect(error).toBeInstanceOf(STSServiceException);
      expect(error.name).toBe('AccessDenied');
      expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
      expect(error.$metadata.httpStatusCode).toBe(403);
      expect(lastCall()).toMatchObject({ outcome: 'AccessDenied', reason: expect.stringMatching(reason) });
    }
  });

  it('ValidationError for session names, durations, role and policy ARNs', async () => {
    const arns = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ arn: `arn:aws:iam::${ACCOUNT}:policy/p${i}` }));
    const cases: Array<[Partial<AssumeRoleWithWebIdentityCommandInput>, RegExp]> = [
      [{ RoleSessionName: 'x' }, /^1 validation error detected: Value 'x' at 'roleSessionName'/],
      [{ RoleSessionName: 'has space' }, /regular expression pattern/],
      [
        { DurationSeconds: 899 },
        /'durationSeconds' failed to satisfy constraint: Member must have value greater/,
      ],
      [{ RoleArn: LONG_ROLE, DurationSeconds: 43201 }, /less than or equal to 43200/],
      [
        { DurationSeconds: 7200 },
        /^The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.$/,
      ],
      [{ PolicyArns: arns(11) }, /'policyArns'/],
      [{ PolicyArns: [{ arn: 'arn:aws:s3:::bucket' }] }, /Invalid ARN/],
      [{ RoleArn: 'arn:aws:iam::123456789012:user/someone' }, /^Request ARN is invalid$/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(h.assume(input));
      expect(error.name).toBe('ValidationError');
      expect(error.message).toMatch(message);
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    }
    const long = await h.assume({ RoleArn: LONG_ROLE, DurationSeconds: 43200 });
    expect(long.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 43_000_000);
  });

  it('MalformedPolicyDocument and PackedPolicyTooLarge for session policies', async () => {
    for (const Policy of ['not json', '{"Statement":[]}', '{"Version":"2012-10-17"}', '[1]']) {
      const error = await rejection(h.assume({ Policy }));
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    }
    const statement = {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${'b'.repeat(1700)}/*`,
    };
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    const PolicyArns = Array.from({ length: 10 }, (_, i) => ({
      arn: `arn:aws:iam::${ACCOUNT}:policy/team/p${i}`,
    }));
    const error = await rejection(h.assume({ Policy, PolicyArns }));
    expect(error).toBeInstanceOf(PackedPolicyTooLargeException);
    expect(error.message).toMatch(/^Packed policy consumes \d+% of allotted space/);
    const ok = await h.assume({ Policy, PolicyArns: PolicyArns.slice(0, 2) });
    expect(ok.PackedPolicySize).toBeGreaterThan(50);
    expect(lastCall()).toMatchObject({
      outcome: 'ok',
      policy: Policy,
      policyArns: PolicyArns.slice(0, 2).map((p) => p.arn),
    });
  });
});
