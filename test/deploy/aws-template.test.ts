/**
 * deploy/aws/gate-deploy-role.yaml, resolved as CloudFormation would create it and fed to the
 * STS peer (its OIDC provider and the role's trust policy), then tried through the real
 * @aws-sdk/client-sts the way an attacker would: with a Bitbucket step token (the pipe left
 * out), with a gate token for another environment or repository, with tags that disagree with
 * the subject. Only a gate token for the pinned repository and environment opens the role.
 */
import {
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  InvalidIdentityTokenException,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutBraces } from '../peers/oidc/claims.ts';
import { type GateClaimOptions, gateClaims, gateSubject, STS_AUDIENCE } from '../peers/oidc/gate-claims.ts';
import { type Issuer, startIssuer } from '../peers/oidc/issuer.ts';
import { isolateFromAwsConfig, rejection } from '../peers/sts/harness.ts';
import { type StsPeer, startSts } from '../peers/sts/server.ts';
import type { Stack } from './cloudformation.ts';
import { gateRole } from './gate-role.ts';

const ACCOUNT = '123456789012';
const NO_TAG_ROLE = `arn:aws:iam::${ACCOUNT}:role/without-tag-session`;

describe('deploy/aws CloudFormation template: the role opens only for the gate', () => {
  let gate: Issuer;
  let bitbucket: Issuer;
  let stack: Stack;
  let sts: StsPeer;
  let client: STSClient;
  let restoreEnv: () => void;
  let roleArn: string;
  let repository: string;

  const gateToken = (options: Partial<GateClaimOptions> = {}) =>
    gate.mint({
      claims: gateClaims({
        issuer: gate.url,
        repositoryUuid: repository,
        workspaceUuid: bitbucket.workspaceUuid,
        environment: 'production',
        ...options,
      }),
    });
  const assume = async (token: string, role = roleArn) =>
    client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: role,
        RoleSessionName: 'pulsar-gate',
        WebIdentityToken: token,
      }),
    );
  const denied = async (token: string, reason: RegExp, role = roleArn) => {
    const error = await rejection(assume(token, role));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(sts.calls.at(-1)).toMatchObject({
      outcome: 'AccessDenied',
      reason: expect.stringMatching(reason),
    });
  };

  beforeAll(async () => {
    restoreEnv = isolateFromAwsConfig();
    // The decision service's issuer: ES256 keys, discovery and JWKS over HTTP like `serve`'s port.
    gate = await startIssuer({ algorithm: 'ES256', path: '/oidc', workspace: 'gate' });
    // Bitbucket's issuer, still registered in the account as most accounts have it today.
    bitbucket = await startIssuer();
    repository = withoutBraces(bitbucket.repositoryUuid);
    const deploy = await gateRole({
      issuerUrl: gate.url,
      repositoryUuid: repository,
      environment: 'production',
    });
    stack = deploy.stack;
    roleArn = deploy.role.arn;
    const withoutTagSession = JSON.parse(deploy.role.trustPolicy);
    withoutTagSession.Statement[0].Action = 'sts:AssumeRoleWithWebIdentity';
    sts = await startSts({
      accountId: ACCOUNT,
      issuers: [deploy.provider, { url: bitbucket.url, clientIds: [bitbucket.audience] }],
      roles: [deploy.role, { arn: NO_TAG_ROLE, trustPolicy: withoutTagSession }],
    });
    client = new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await Promise.all([sts?.close(), gate?.close(), bitbucket?.close()]);
    restoreEnv?.();
  });

  it('a gate token for the pinned repository and environment gets credentials and a tagged session', async () => {
    const out = await assume(await gateToken());
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.SubjectFromWebIdentityToken).toBe(gateSubject(repository, 'production'));
    expect(out.Audience).toBe(STS_AUDIENCE);
    expect(out.Provider).toBe(stack.outputs.ProviderArn);
    expect(sts.sessions.at(-1)).toEqual({
      roleArn,
      sessionName: 'pulsar-gate',
      subject: `repo:${repository}:env:production`,
      audience: STS_AUDIENCE,
      provider: stack.resources.GateOidcProvider?.arn,
      tags: { repository, environment: 'production', action: 'deploy' },
      transitiveTagKeys: ['repository', 'environment', 'action'],
      expiration: out.Credentials?.Expiration,
    });
  });

  it('a Bitbucket step token (the pipe left out) is refused, whatever it claims', async () => {
    await denied(await bitbucket.mint(), /principal .*pipelines-config/);
    // Bitbucket's issuer cannot forge the gate's subject either: wrong provider all the same.
    await denied(
      await bitbucket.mint({ sub: gateSubject(repository, 'production'), aud: bitbucket.audience }),
      /principal/,
    );
  });

  it('refuses staging, another repository, tags that disagree with sub, and a token without tags', async () => {
    const other = 'a1b2c3d4-0000-4000-8000-000000000000';
    await denied(await gateToken({ environment: 'staging' }), /:sub/);
    await denied(await gateToken({ repositoryUuid: other }), /:sub/);
    await denied(
      await gateToken({ sub: gateSubject(repository, 'production'), environment: 'staging' }),
      /aws:RequestTag\/environment/,
    );
    await denied(
      await gateToken({ sub: gateSubject(repository, 'production'), repositoryUuid: other }),
      /aws:RequestTag\/repository/,
    );
    await denied(await gateToken({ tags: null }), /aws:RequestTag\/environment.*absent/);
  });

  it('a role whose trust policy leaves out sts:TagSession refuses the tagged gate token', async () => {
    await denied(await gateToken(), /sts:TagSession is not in Action/, NO_TAG_ROLE);
    expect(sts.sessions.filter((s) => s.roleArn === NO_TAG_ROLE)).toEqual([]);
  });

  it('refuses an expired or not yet valid gate token and a malformed tags claim before the trust policy', async () => {
    const expired = await rejection(assume(await gateToken({ lifetimeSeconds: -60 })));
    expect(expired).toBeInstanceOf(ExpiredTokenException);
    const braces = { principal_tags: { repository: [`{${repository}}`], environment: ['production'] } };
    const malformed = await rejection(assume(await gateToken({ tags: braces })));
    expect(malformed).toBeInstanceOf(InvalidIdentityTokenException);
    expect(sts.calls.at(-1)?.reason).toMatch(/characters AWS does not allow/);
    const claims = gateClaims({
      issuer: gate.url,
      repositoryUuid: repository,
      workspaceUuid: bitbucket.workspaceUuid,
      environment: 'production',
    });
    const early = await rejection(
      assume(await gate.mint({ claims: { ...claims, nbf: Number(claims.iat) + 120 } })),
    );
    expect(early).toBeInstanceOf(InvalidIdentityTokenException);
    expect(sts.calls.at(-1)?.reason).toMatch(/nbf .* in the future/);
  });
});
