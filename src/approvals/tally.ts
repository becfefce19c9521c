import type { ApprovalAct, ApprovalRequirement, VerifiedApprover } from '../decision/approval-facts.ts';
import type { OpenedRecord } from './records.ts';

/** Where a pending request stands after the acts recorded for it, in the topic's order. */
export type Standing =
  | {
      readonly state: 'pending';
      /** Per requirement, the distinct approvers that count towards it so far. */
      readonly progress: readonly {
        readonly requirement: ApprovalRequirement;
        readonly approvers: readonly ApprovalAct[];
      }[];
    }
  /** One requirement is met: these acts approved it. */
  | {
      readonly state: 'approved';
      readonly requirement: ApprovalRequirement;
      readonly acts: readonly ApprovalAct[];
    }
  /** Someone who could have approved rejected it: the wait ends at once. */
  | { readonly state: 'rejected'; readonly act: ApprovalAct }
  /** The approval window closed before the requirement was met. */
  | { readonly state: 'expired' };

/** What a tally reads of an opened request: its window, its requirements and who ran it. */
export type Tallied = Pick<OpenedRecord, 'expiresAt' | 'approval'> & {
  readonly facts: {
    readonly verified: {
      readonly pipeline?: { readonly triggeredBy: string; readonly triggeredByAccountId?: string };
    } | null;
  };
};

/**
 * Counts the acts for one request (P8, docs/design.md §7). The rules are checked again here —
 * not only when a replica accepts an act — so every replica that read the same records
 * agrees: an act after the window never counts, the requester never counts, one person
 * (issuer + subject) counts once, and only towards a requirement one of whose groups they are in.
 */
export function tally(opened: Tallied, acts: readonly ApprovalAct[], now: number): Standing {
  const closes = Date.parse(opened.expiresAt);
  const valid = acts.filter((a) => Date.parse(a.at) <= closes && !isRequester(opened, a.approver));
  const rejection = valid.find((a) => a.kind === 'reject' && eligibleFor(opened.approval, a.approver));
  if (rejection) return { state: 'rejected', act: rejection };
  const progress = opened.approval.map((requirement) => {
    const seen = new Set<string>();
    const approvers = valid.filter((a) => {
      const who = personOf(a.approver);
      if (a.kind !== 'approve' || seen.has(who) || !inGroups(requirement, a.approver)) return false;
      seen.add(who);
      return true;
    });
    return { requirement, approvers };
  });
  const met = progress.find((p) => p.approvers.length >= p.requirement.count);
  if (met)
    return {
      state: 'approved',
      requirement: met.requirement,
      acts: met.approvers.slice(0, met.requirement.count),
    };
  if (now > closes) return { state: 'expired' };
  return { state: 'pending', progress };
}

/** The same person whatever name their token shows: the IdP's issuer and subject (OIDC Core §2). */
export const personOf = (a: VerifiedApprover): string => `${a.iss} ${a.sub}`;

/** Whether the approver is in one of the groups of any requirement. */
export function eligibleFor(requirements: readonly ApprovalRequirement[], a: VerifiedApprover): boolean {
  return requirements.some((r) => inGroups(r, a));
}

const inGroups = (r: ApprovalRequirement, a: VerifiedApprover): boolean =>
  r.groups.some((g) => a.groups.includes(g));

/**
 * Whether the approver is the Bitbucket account that ran the pipeline, as Bitbucket's API
 * said (the run's `creator`, by uuid or Atlassian account id). Unmapped approvers never
 * reach a tally unless the operator allowed them (they cannot be the requester we know of).
 */
export function isRequester(opened: Tallied, a: VerifiedApprover): boolean {
  const run = opened.facts.verified?.pipeline;
  if (a.bitbucket === undefined || run === undefined) return false;
  const who = a.bitbucket.toLowerCase();
  return who === run.triggeredBy.toLowerCase() || who === run.triggeredByAccountId?.toLowerCase();
}
