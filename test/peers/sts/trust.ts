/**
 * Roles and their trust policies. A role is given a real trust policy document, or the short
 * form `{aud, sub}` the older tests use, which becomes the document IAM would hold: per OIDC
 * provider the peer knows, an Allow of sts:AssumeRoleWithWebIdentity with StringEquals on
 * `<provider>:aud` and StringLike on `<provider>:sub`. AssumeRoleWithWebIdentity with session
 * tags also needs sts:TagSession (IAM User Guide, "Passing session tags in AWS STS", "Required
 * permissions to add session tags"); each action is evaluated on its own and both must be allowed.
 */
import { accessDenied } from './errors.ts';
import {
  type PolicyDocument,
  type PolicyStatement,
  providerArn,
  providerHost,
  readTrustPolicy,
  type TrustPolicy,
} from './policy-document.ts';
import { evaluate, webIdentityContext } from './policy-evaluation.ts';
import { ROLE_ARN } from './request.ts';
import type { SessionTags } from './session-tags.ts';

export type RoleDefinition = {
  arn: string;
  /** IAM's MaxSessionDuration, 3600–43200; default 3600. */
  maxSessionDuration?: number;
} & (
  | { trust: { aud: string; sub?: string } }
  /** The role's AssumeRolePolicyDocument, as an object or the JSON text IAM stores. */
  | { trustPolicy: PolicyDocument | string }
);

export type Role = { arn: string; maxSessionDuration?: number; policy: TrustPolicy };

export function roleName(arn: string): string {
  return ROLE_ARN.exec(arn)?.[2] ?? arn;
}

function shortFormDocument(
  trust: { aud: string; sub?: string },
  accountId: string,
  issuers: readonly string[],
): PolicyDocument {
  const statements = issuers.map(
    (issuer): PolicyStatement => ({
      Effect: 'Allow',
      Principal: { Federated: providerArn(accountId, issuer) },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${providerHost(issuer)}:aud`]: trust.aud },
        ...(trust.sub === undefined ? {} : { StringLike: { [`${providerHost(issuer)}:sub`]: trust.sub } }),
      },
    }),
  );
  return { Version: '2012-10-17', Statement: statements };
}

/** Reads every role's policy when the peer starts; a malformed one fails the start. */
export function readRoles(
  definitions: readonly RoleDefinition[],
  accountId: string,
  issuers: readonly string[],
): Role[] {
  return definitions.map((definition) => {
    const document =
      'trust' in definition
        ? shortFormDocument(definition.trust, accountId, issuers)
        : definition.trustPolicy;
    let policy: TrustPolicy;
    try {
      policy = readTrustPolicy(document);
    } catch (error) {
      throw new Error(`role ${definition.arn}: ${(error as Error).message}`);
    }
    return {
      arn: definition.arn,
      ...(definition.maxSessionDuration === undefined
        ? {}
        : { maxSessionDuration: definition.maxSessionDuration }),
      policy,
    };
  });
}

/** AWS says the same thing for an unknown role and a denied trust policy; `reason` says which. */
export function assumeRole(
  roles: readonly Role[],
  accountId: string,
  roleArn: string,
  token: { iss: string; aud: string; sub: string },
  tags: SessionTags | undefined,
): Role {
  const role = roles.find((r) => r.arn === roleArn);
  if (role === undefined) throw accessDenied(`no role ${roleArn}`);
  const account = ROLE_ARN.exec(roleArn)?.[1];
  if (account !== accountId) {
    throw accessDenied(`role is in account ${account}; the OIDC provider is in ${accountId}`);
  }
  const principal = providerArn(accountId, token.iss);
  const context = webIdentityContext(providerHost(token.iss), token, tags);
  const actions = ['sts:AssumeRoleWithWebIdentity', ...(tags === undefined ? [] : ['sts:TagSession'])];
  for (const action of actions) {
    const verdict = evaluate(role.policy, { principal, action, context });
    if (verdict.effect === 'ExplicitDeny') throw accessDenied(`${action} explicitly denied by ${verdict.by}`);
    if (verdict.effect === 'ImplicitDeny') throw accessDenied(verdict.reason);
  }
  return role;
}
