/**
 * The AWS side of gate mode as deploy/aws/gate-deploy-role.yaml creates it, ready for the STS
 * test peer: the template resolved for a (loopback) gate issuer, a repository and an
 * environment, giving the provider to register and the role with its trust policy. Tests of
 * gate mode use this, so they exercise the trust policy operators actually deploy.
 */
import type { ProviderDefinition } from '../peers/sts/identity-provider.ts';
import type { RoleDefinition } from '../peers/sts/server.ts';
import { readTemplate, resolveStack, type Stack } from './cloudformation.ts';

export const GATE_ROLE_TEMPLATE = 'deploy/aws/gate-deploy-role.yaml';

export type GateRole = {
  /** The gate issuer as an IAM OIDC provider (its ClientIdList from the template). */
  provider: ProviderDefinition;
  role: RoleDefinition & { trustPolicy: string };
  stack: Stack;
};

export async function gateRole(options: {
  /** GATE_ISSUER; a loopback http:// URL stands for the https:// one the template names. */
  issuerUrl: string;
  /** With or without braces (the template takes it without). */
  repositoryUuid: string;
  environment: string;
  accountId?: string;
}): Promise<GateRole> {
  const host = options.issuerUrl.replace(/^https?:\/\//, '');
  const stack = resolveStack(
    await readTemplate(GATE_ROLE_TEMPLATE),
    {
      GateIssuerUrl: host,
      RepositoryUuid: options.repositoryUuid.replace(/^\{|\}$/g, ''),
      Environment: options.environment,
    },
    { accountId: options.accountId ?? '123456789012', stackName: `pulsar-gate-${options.environment}` },
  );
  const provider = stack.resources.GateOidcProvider;
  const role = stack.resources.DeployRole;
  if (provider === undefined || role === undefined) throw new Error(`${GATE_ROLE_TEMPLATE} lost a resource`);
  if (provider.properties.Url !== `https://${host}`) {
    throw new Error(`the provider's Url ${String(provider.properties.Url)} is not GATE_ISSUER's`);
  }
  const clientIds = provider.properties.ClientIdList;
  if (!Array.isArray(clientIds) || !clientIds.every((id) => typeof id === 'string')) {
    throw new Error('the provider has no ClientIdList');
  }
  return {
    provider: { url: options.issuerUrl, clientIds },
    role: {
      arn: role.arn,
      trustPolicy: String(role.properties.AssumeRolePolicyDocument),
      maxSessionDuration: Number(role.properties.MaxSessionDuration),
    },
    stack,
  };
}
