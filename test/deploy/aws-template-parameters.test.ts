/**
 * deploy/aws/gate-deploy-role.yaml's parameters: what CloudFormation refuses before it creates
 * anything. The values are substituted into the trust policy's JSON, so a pattern that lets a
 * wildcard, a brace or a quote through would widen or break the policy.
 */
import { describe, expect, it } from 'vitest';
import { readTemplate, resolveStack } from './cloudformation.ts';

const ACCOUNT = '123456789012';
const TEMPLATE = 'deploy/aws/gate-deploy-role.yaml';
const REPO = '6f1c0d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';
const at = { accountId: ACCOUNT, stackName: 'pulsar-gate' };

describe('deploy/aws template parameters', () => {
  it('refuses values that would widen or break the trust policy', async () => {
    const template = await readTemplate(TEMPLATE);
    const base = { GateIssuerUrl: 'gate.example.com', RepositoryUuid: REPO };
    expect(() => resolveStack(template, base, at)).not.toThrow();
    const bad: Array<Record<string, string>> = [
      { ...base, GateIssuerUrl: 'https://gate.example.com' },
      { ...base, GateIssuerUrl: 'gate.example.com/' },
      { ...base, GateIssuerUrl: 'gate.example.com/oidc?x=1' },
      { ...base, RepositoryUuid: `{${REPO}}` },
      { ...base, RepositoryUuid: '*' },
      { ...base, RepositoryUuid: `${REPO}", "x": "` },
      { ...base, Environment: '*' },
      { ...base, Environment: 'prod*' },
      { ...base, Environment: 'Production' },
      { ...base, MaxSessionDuration: '900' },
      { ...base, MaxSessionDuration: '43201' },
      { ...base, ExistingProviderArn: 'arn:aws:iam::123456789012:role/x' },
      { ...base, ExistingProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/x", "Effect": "Allow` },
    ];
    for (const parameters of bad) {
      expect(() => resolveStack(template, parameters, at), JSON.stringify(parameters)).toThrow(/^parameter /);
    }
  });

  it('creates the provider with the sts.amazonaws.com audience, or reuses the account’s', async () => {
    const template = await readTemplate(TEMPLATE);
    const first = resolveStack(
      template,
      { GateIssuerUrl: 'gate.example.com/oidc', RepositoryUuid: REPO },
      at,
    );
    const provider = first.resources.GateOidcProvider;
    expect(provider?.properties).toEqual({
      Url: 'https://gate.example.com/oidc',
      ClientIdList: ['sts.amazonaws.com'],
    });
    const existing = provider?.arn ?? '';
    expect(existing).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/gate.example.com/oidc`);
    const second = resolveStack(
      template,
      {
        GateIssuerUrl: 'gate.example.com/oidc',
        RepositoryUuid: REPO,
        Environment: 'staging',
        ExistingProviderArn: existing,
      },
      { accountId: ACCOUNT, stackName: 'pulsar-gate-staging' },
    );
    expect(Object.keys(second.resources)).toEqual(['DeployRole']);
    const policy = JSON.parse(String(second.resources.DeployRole?.properties.AssumeRolePolicyDocument));
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Federated: existing },
        Condition: {
          StringEquals: {
            'gate.example.com/oidc:aud': 'sts.amazonaws.com',
            'gate.example.com/oidc:sub': `repo:${REPO}:env:staging`,
            'aws:RequestTag/environment': 'staging',
            'aws:RequestTag/repository': REPO,
          },
        },
      }),
    ]);
    expect(second.outputs.ProviderArn).toBe(existing);
  });
});
