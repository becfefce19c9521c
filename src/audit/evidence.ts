import type { ApprovalAct } from '../decision/approval-facts.ts';
import type { Asked, VerifiedIdentity } from '../decision/decision-facts.ts';
import { type DecisionEntry, entryDigest } from './entry.ts';
import { type InclusionProof, proveInclusion } from './inclusion-proof.ts';
import type { TrailSummary, VerifiedTree } from './trail-verdict.ts';

/**
 * One deployment (one request) as an auditor samples it: who triggered it (verified), what
 * it asked for, when, under which policy, approved by whom.
 */
export interface DeploymentEvidence {
  readonly requestId: string;
  readonly verdict: string;
  readonly reasons: readonly string[];
  readonly failedPath: string | null;
  readonly requestedAt: string;
  readonly decidedAt: string;
  /** Claims from the verified step token (null: the token did not verify). */
  readonly verified: VerifiedIdentity | null;
  /** What the request merely asked for: action, environment, its own pipeline fields, the role. */
  readonly asked: Asked;
  readonly policy: { readonly ids: readonly string[]; readonly digest: string };
  /** Approver groups the policy required (`pending`); empty when none was required. */
  readonly approvals: readonly string[];
  /** Who settled it (issue 16): each approval, or the rejection, as the service verified the person. */
  readonly approvedBy: readonly ApprovalAct[];
  readonly trail: {
    readonly trail: string;
    readonly seq: number;
    readonly digest: string;
    /** Whether a verified signed checkpoint comes after this record. */
    readonly signedCheckpoint: boolean;
    /** Earlier records of this request that were never published (e.g. a mirror failure). */
    readonly replaced: readonly number[];
  };
  /**
   * The record's inclusion proof under the trail's newest signed tree head (issue 15 §4),
   * checkable with `audit verify-proof` and the public keys alone; null while no head covers it.
   */
  readonly proof: InclusionProof | null;
}

/**
 * The evidence for decisions made in [from, to): per request, the record that was
 * published (the last one; records it replaced are named). Only ever built from a trail
 * that verified, so every record in it is covered by the chain.
 */
export function collectEvidence(
  decisions: readonly DecisionEntry[],
  trails: readonly TrailSummary[],
  range: { from: Date; to: Date },
  trees: ReadonlyMap<string, VerifiedTree>,
): DeploymentEvidence[] {
  const lastCheckpoint = new Map(trails.map((t) => [t.trail, t.lastCheckpoint]));
  const byRequest = new Map<string, DecisionEntry[]>();
  for (const d of decisions) {
    const at = Date.parse(d.record.decidedAt);
    if (!(at >= range.from.getTime() && at < range.to.getTime())) continue;
    byRequest.set(d.record.requestId, [...(byRequest.get(d.record.requestId) ?? []), d]);
  }
  const out: DeploymentEvidence[] = [];
  for (const entries of byRequest.values()) {
    const entry = entries[entries.length - 1];
    if (!entry) continue;
    const r = entry.record;
    const tree = trees.get(entry.trail);
    out.push({
      requestId: r.requestId,
      verdict: r.verdict,
      reasons: r.reasons,
      failedPath: r.failedPath ?? null,
      requestedAt: r.requestedAt,
      decidedAt: r.decidedAt,
      verified: r.verified,
      asked: r.asked,
      policy: { ids: r.policies, digest: r.policyDigest },
      approvals: r.approvers ?? [],
      approvedBy: r.acts ?? [],
      trail: {
        trail: entry.trail,
        seq: entry.seq,
        digest: entryDigest(entry),
        signedCheckpoint: entry.seq < (lastCheckpoint.get(entry.trail) ?? -1),
        replaced: entries.slice(0, -1).map((e) => e.seq),
      },
      proof: (tree && proveInclusion(tree, entry)) ?? null,
    });
  }
  return out.sort((a, b) => a.decidedAt.localeCompare(b.decidedAt) || a.requestId.localeCompare(b.requestId));
}
