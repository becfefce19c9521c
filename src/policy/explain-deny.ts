import type { CedarRequest } from './cedar-request.ts';
import { describeEntity, describeReach, describeScope, describeValue } from './describe.ts';
import type { ConditionProbe, ExplainPlan, PermitPlan } from './explain-plan.ts';

export interface Explanation {
  reasons: string[];
  failedPath: string;
}

/** Enough to show the nearest misses without flooding a step log. */
const MAX_NEAR_MISSES = 4;

/**
 * Reads the probe answers (see explain-plan.ts) for a request no permit allowed: first the
 * permits whose scope applied but whose condition failed (naming the first false conjunct and
 * the values of the attributes it reads), then those that applied to the action and resource
 * but not to this principal. Nothing is guessed: every sentence is a probe Cedar evaluated.
 */
export function explainNoPermit(
  plan: ExplainPlan,
  satisfied: ReadonlySet<string>,
  request: CedarRequest,
  label: (id: string) => string,
): Explanation {
  const asked = `${request.action.id} on ${describeEntity(request.resource)}`;
  const reasons = [`no policy permits ${asked} for ${describeEntity(request.principal)}`];
  const applied = plan.permits.filter((p) => satisfied.has(p.scopeProbe));
  const otherPrincipal = plan.permits.filter(
    (p) => !satisfied.has(p.scopeProbe) && satisfied.has(p.reachProbe),
  );
  let failedPath: string | undefined;
  for (const permit of applied.slice(0, MAX_NEAR_MISSES)) {
    const failed = firstFailed(permit, satisfied);
    const reach = describeReach(permit.est.action, permit.est.resource);
    if (failed === undefined) {
      reasons.push(`${label(permit.id)} applies to ${reach}, but its conditions failed`);
      failedPath ??= `policy ${permit.id}`;
      continue;
    }
    const what = failed.kind === 'when' ? 'its condition failed' : 'its unless condition held';
    const facts = failed.paths.map((path) => fact(request, path));
    const shown = facts.length === 0 ? '' : ` — ${facts.join(', ')}`;
    reasons.push(`${label(permit.id)} applies to ${reach}, but ${what}: ${failed.text}${shown}`);
    failedPath ??= `policy ${permit.id}: ${failed.paths.join(', ') || failed.text}`;
  }
  for (const permit of otherPrincipal.slice(0, Math.max(0, MAX_NEAR_MISSES - applied.length))) {
    const reach = describeReach(permit.est.action, permit.est.resource);
    const needs = describeScope('principal', permit.est.principal);
    reasons.push(
      `${label(permit.id)} applies to ${reach}, but not to this principal: it requires ${needs} (${groups(request)})`,
    );
    failedPath ??= `policy ${permit.id}: principal`;
  }
  if (applied.length + otherPrincipal.length === 0) {
    reasons.push(`no permit policy applies to ${asked} at all`);
  }
  return { reasons, failedPath: failedPath ?? `policy: no permit for ${asked}` };
}

function firstFailed(permit: PermitPlan, satisfied: ReadonlySet<string>): ConditionProbe | undefined {
  // A `when` conjunct fails when its probe is not satisfied (false, or an error: both mean no);
  // an `unless` clause fails the policy when its probe IS satisfied.
  return permit.conditions.find((c) => (c.kind === 'when') !== satisfied.has(c.probe));
}

function fact(request: CedarRequest, path: string): string {
  if (path === 'principal in') return groups(request);
  const [root, ...attrs] = path.split('.');
  const roots: Record<string, unknown> = {
    principal: request.attrs.principal,
    resource: request.attrs.resource,
    context: request.context,
  };
  let value: unknown = root === undefined ? undefined : roots[root];
  for (const attr of attrs) value = isPlainRecord(value) ? value[attr] : undefined;
  return `${path} is ${describeValue(value)}`;
}

function groups(request: CedarRequest): string {
  return request.groups.length === 0
    ? 'the principal is in no group'
    : `the principal is in ${request.groups.map((g) => describeEntity({ type: 'Group', id: g })).join(', ')}`;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('__extn' in value);
}
