/**
 * Roles and their trust policies, reduced to the two conditions an OIDC trust policy uses:
 * `<provider>:aud` with StringEquals and `<provider>:sub` with StringLike (IAM User Guide,
 * "IAM JSON policy elements: Condition operators" — `*` any run of characters, `?` one).
 */
import { accessDenied } from './errors.ts';
import { ROLE_ARN } from './request.ts';

export type RoleDefinition = {
  arn: string;
  trust: { aud: string; sub?: string };
  /** IAM's MaxSessionDuration, 3600–43200; default 3600. */
  maxSessionDuration?: number;
};

export function stringLike(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

export function roleName(arn: string): string {
  return ROLE_ARN.exec(arn)?.[2] ?? arn;
}

/** AWS says the same thing for an unknown role and a failed condition; `reason` says which. */
export function assumeRole(
  roles: readonly RoleDefinition[],
  accountId: string,
  roleArn: string,
  claims: { aud: string; sub: string },
): RoleDefinition {
  const role = roles.find((r) => r.arn === roleArn);
  if (role === undefined) throw accessDenied(`no role ${roleArn}`);
  const account = ROLE_ARN.exec(roleArn)?.[1];
  if (account !== accountId) {
    throw accessDenied(`role is in account ${account}; the OIDC provider is in ${accountId}`);
  }
  if (role.trust.aud !== claims.aud) {
    throw accessDenied(`trust policy condition aud: '${claims.aud}' is not '${role.trust.aud}'`);
  }
  if (role.trust.sub !== undefined && !stringLike(role.trust.sub, claims.sub)) {
    throw accessDenied(`trust policy condition sub: '${claims.sub}' is not like '${role.trust.sub}'`);
  }
  return role;
}
