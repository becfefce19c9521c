/**
 * Evaluating a role's trust policy for one action (IAM User Guide, "Policy evaluation logic",
 * "Determining whether a request is allowed or denied within an account"): a statement applies
 * when its principal, action and every condition match (conditions under different operators
 * and keys are AND'd). An applicable Deny wins over any Allow; with no applicable Allow the
 * request is denied by default.
 */
import { conditionHolds, type RequestContext } from './policy-conditions.ts';
import type { Statement, TrustPolicy } from './policy-document.ts';

export type { RequestContext } from './policy-conditions.ts';

export type EvaluationRequest = {
  /** The federated principal: the ARN of the OIDC provider that issued the token. */
  principal: string;
  /** e.g. `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`. */
  action: string;
  context: RequestContext;
};

export type Verdict =
  | { effect: 'Allow'; by: string }
  | { effect: 'ExplicitDeny'; by: string }
  | { effect: 'ImplicitDeny'; reason: string };

/** IAM action names are case-insensitive and may use `*` and `?` wildcards (`sts:*`). */
function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(action.toLowerCase());
}

/** Why the statement does not apply, or undefined when it does. */
function mismatch(statement: Statement, request: EvaluationRequest): string | undefined {
  if (!statement.federated.includes(request.principal)) {
    return `${statement.label}: principal ${request.principal} is not ${statement.federated.join(' or ')}`;
  }
  if (!statement.actions.some((pattern) => actionMatches(pattern, request.action))) {
    return `${statement.label}: ${request.action} is not in Action`;
  }
  for (const { operator, key, values } of statement.conditions) {
    if (!conditionHolds(operator, key, values, request.context)) {
      const actual = request.context.get(key.toLowerCase());
      const shown = actual === undefined ? 'absent' : JSON.stringify(actual);
      return `${statement.label}: ${operator} ${key} ${JSON.stringify(values)} fails for ${shown}`;
    }
  }
  return undefined;
}

export function evaluate(policy: TrustPolicy, request: EvaluationRequest): Verdict {
  const applicable = policy.statements.filter((s) => mismatch(s, request) === undefined);
  const deny = applicable.find((s) => s.effect === 'Deny');
  if (deny !== undefined) return { effect: 'ExplicitDeny', by: deny.label };
  const allow = applicable.find((s) => s.effect === 'Allow');
  if (allow !== undefined) return { effect: 'Allow', by: allow.label };
  const reasons = policy.statements
    .filter((s) => s.effect === 'Allow')
    .map((s) => mismatch(s, request) ?? `${s.label}: does not apply`);
  return {
    effect: 'ImplicitDeny',
    reason: `no statement allows ${request.action}${reasons.length === 0 ? '' : `: ${reasons.join('; ')}`}`,
  };
}

/** The request context of a web identity call (condition keys lower-cased, see conditions). */
export function webIdentityContext(
  providerHost: string,
  token: { aud: string; sub: string },
  tags: { tags: Readonly<Record<string, string>>; transitiveTagKeys: readonly string[] } | undefined,
): RequestContext {
  const entries: Array<[string, string[]]> = [
    [`${providerHost}:aud`, [token.aud]],
    [`${providerHost}:sub`, [token.sub]],
  ];
  if (tags !== undefined) {
    for (const [key, value] of Object.entries(tags.tags)) entries.push([`aws:RequestTag/${key}`, [value]]);
    entries.push(['aws:TagKeys', Object.keys(tags.tags)]);
    entries.push(['sts:TransitiveTagKeys', [...tags.transitiveTagKeys]]);
  }
  return new Map(entries.map(([key, values]) => [key.toLowerCase(), values]));
}
