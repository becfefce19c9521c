import type { EntityUidJson, Expr, PolicyJson, PrincipalConstraint, TemplateLink } from './cedar.ts';
import { policyToText } from './cedar.ts';
import { pathsIn } from './describe.ts';

/**
 * Why was nothing permitted? Cedar answers only "deny, no policy satisfied". To say which rule
 * came closest and which condition failed, every permit is cut, at load, into probe policies
 * that Cedar evaluates for us on a deny (one more preparsed call, no parsing per request):
 *
 * - `scope:<id>`  the permit's principal/action/resource scope with no conditions — did it apply?
 * - `reach:<id>`  the same with `principal` unconstrained — did it apply to the action and
 *                 resource, so only the principal (e.g. group membership) was wrong?
 * - `cond:<id>:<n>` one probe per top-level `&&` conjunct of each `when` (and per `unless`
 *                 clause), scope unconstrained — which conjunct was false?
 *
 * Cedar's `&&` short-circuits left to right (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-and),
 * so the FIRST false conjunct is the one that failed; a later conjunct evaluated on its own may
 * error (its `has` guard was an earlier conjunct), which is why only the first is reported.
 */
export interface ConditionProbe {
  probe: string;
  kind: 'when' | 'unless';
  /** The conjunct in Cedar syntax, as Cedar prints it. */
  text: string;
  /** Attribute paths it reads, whose values a reason shows. */
  paths: string[];
}

export interface PermitPlan {
  id: string;
  /** For linked policies, the template with its slots filled in. */
  est: PolicyJson;
  scopeProbe: string;
  reachProbe: string;
  conditions: ConditionProbe[];
}

export interface ExplainPlan {
  permits: PermitPlan[];
  probes: Record<string, PolicyJson>;
}

const ANY = { op: 'All' } as const;
const probeScope = { effect: 'permit', action: ANY, resource: ANY } as const;

export function planExplanations(policies: readonly { id: string; est: PolicyJson }[]): ExplainPlan {
  const probes: Record<string, PolicyJson> = {};
  const permits = policies
    .filter(({ est }) => est.effect === 'permit')
    .map(({ id, est }): PermitPlan => {
      const scope = { effect: 'permit' as const, action: est.action, resource: est.resource, conditions: [] };
      probes[`scope:${id}`] = { ...scope, principal: est.principal };
      probes[`reach:${id}`] = { ...scope, principal: ANY };
      const clauses = est.conditions.flatMap((clause) =>
        (clause.kind === 'when' ? conjuncts(clause.body) : [clause.body]).map((body) => ({
          kind: clause.kind,
          body,
        })),
      );
      const conditions = clauses.map(({ kind, body }, n) => {
        const probe = `cond:${id}:${n}`;
        const policy: PolicyJson = { ...probeScope, principal: ANY, conditions: [{ kind: 'when', body }] };
        probes[probe] = policy;
        return { probe, kind, text: conditionText(policy), paths: pathsIn(body) };
      });
      return { id, est, scopeProbe: `scope:${id}`, reachProbe: `reach:${id}`, conditions };
    });
  return { permits, probes };
}

/** A template's JSON with its slots replaced by the link's entities: the linked policy. */
export function linkedEst(template: PolicyJson, values: TemplateLink['values']): PolicyJson {
  return {
    ...template,
    principal: fill(template.principal, values['?principal']),
    resource: fill(template.resource, values['?resource']),
  };
}

function fill(c: PrincipalConstraint, value: EntityUidJson | undefined): PrincipalConstraint {
  if (value === undefined) return c;
  if (c.op === '==' && 'slot' in c) return { op: '==', entity: value };
  if (c.op === 'in' && 'slot' in c) return { op: 'in', entity: value };
  if (c.op === 'is' && c.in !== undefined && 'slot' in c.in) {
    return { op: 'is', entity_type: c.entity_type, in: { entity: value } };
  }
  return c;
}

function conjuncts(body: Expr): Expr[] {
  if ('&&' in body && body['&&'] !== undefined) {
    const and = body['&&'] as { left: Expr; right: Expr };
    return [...conjuncts(and.left), ...conjuncts(and.right)];
  }
  return [body];
}

/** Cedar prints the probe as `permit(principal, action, resource) when { <expr> };`. */
function conditionText(probe: PolicyJson): string {
  const printed = policyToText(probe);
  if (printed.type === 'failure') return '(condition)';
  return /\bwhen \{ (.*) \};\s*$/s.exec(printed.text)?.[1] ?? printed.text;
}
