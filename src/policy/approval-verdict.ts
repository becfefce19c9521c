import { approvalCount, approversOf } from './policy-file.ts';
import type { PolicyDecision } from './types.ts';

/** What the verdict needs of the policies that applied: their annotations, and how a reason names them. */
export interface PolicyNames {
  readonly annotations: (id: string) => Readonly<Record<string, string>>;
  readonly label: (id: string) => string;
}

/**
 * `@approval("group")` on a permit makes the verdict `pending`. Permits are alternatives in
 * Cedar (any one suffices), so if another satisfied permit needs no approval, the request is
 * allowed by that one; only when every permit that applied wants approval is it pending.
 */
export function allowOrPending(satisfied: readonly string[], names: PolicyNames): PolicyDecision {
  // Cedar reports the determining policies as a set, in no set order: sorted, the reasons and
  // the approval requirements read the same for the same request every time.
  const permits = [...satisfied].sort();
  const needs = permits.map((id) => approversOf(names.annotations(id).approval ?? ''));
  const free = permits.filter((_, i) => needs[i]?.length === 0);
  if (free.length > 0) {
    // Cedar's determining policies are every satisfied permit; the reasons name those that needed no one.
    return {
      verdict: 'allow',
      determining: permits,
      reasons: free.map((id) => `allowed by ${names.label(id)}`),
      errors: [],
    };
  }
  const approvers = [...new Set(needs.flat())];
  // Validated at load (policy-file.ts), so the count is always 1-10 here.
  const counts = permits.map((id) => approvalCount(names.annotations(id).approvals) ?? 1);
  return {
    verdict: 'pending',
    determining: permits,
    reasons: permits.map(
      (id, i) => `${names.label(id)} allows this once approved by ${wanted(needs[i], counts[i])}`,
    ),
    errors: [],
    approvers,
    approval: permits.map((policy, i) => ({ policy, groups: needs[i] ?? [], count: counts[i] ?? 1 })),
  };
}

/** "release-managers" or "2 distinct people from release-managers or security". */
function wanted(groups: readonly string[] | undefined, count: number | undefined): string {
  const from = (groups ?? []).join(' or ');
  return count !== undefined && count > 1 ? `${count} distinct people from ${from}` : from;
}
