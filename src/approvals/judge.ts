import type { VerifiedApprover } from '../decision/approval-facts.ts';
import type { Entry } from './book.ts';
import { eligibleFor, isRequester, personOf, tally } from './tally.ts';

/** What an approver asks for: an act bound to one request id AND the digest of that request. */
export interface ActRequest {
  readonly requestId: string;
  readonly requestDigest: string;
  readonly kind: 'approve' | 'reject';
  readonly comment: string;
}

export interface Rules {
  /** ALLOW_UNMAPPED_APPROVERS: count someone who maps to no Bitbucket account (default no). */
  readonly allowUnmapped: boolean;
}

/** Why an act is refused, with the HTTP status that says so; undefined: it may be recorded. */
export interface Refusal {
  readonly status: 403 | 404 | 409 | 410 | 400;
  readonly reason: string;
}

/**
 * The rules an act must pass before the accepting replica signs it (P8). They are told to
 * the approver as the reason and nothing is recorded, so a refused act never changes a count.
 */
export function refusal(
  entry: Entry | undefined,
  ask: ActRequest,
  approver: VerifiedApprover,
  rules: Rules,
  now: number,
): Refusal | undefined {
  if (entry === undefined)
    return { status: 404, reason: `no request ${ask.requestId} is waiting for approval` };
  const { opened } = entry;
  if (ask.requestDigest !== opened.requestDigest)
    return { status: 409, reason: `this approval names another request body than request ${ask.requestId}` };
  const standing = tally(opened, entry.acts, now);
  if (standing.state === 'expired')
    return {
      status: 410,
      reason: `the approval window of request ${ask.requestId} closed at ${opened.expiresAt}`,
    };
  if (standing.state !== 'pending')
    return { status: 409, reason: `request ${ask.requestId} is already ${standing.state}` };
  if (!eligibleFor(opened.approval, approver)) {
    const groups = [...new Set(opened.approval.flatMap((r) => r.groups))].join(', ');
    return { status: 403, reason: `${approver.name} is not in ${groups}, who may approve this request` };
  }
  if (isRequester(opened, approver))
    return { status: 403, reason: `${approver.name} ran this pipeline and cannot approve their own request` };
  if (approver.bitbucket === undefined && !rules.allowUnmapped)
    return {
      status: 403,
      reason: `${approver.name} maps to no Bitbucket account, so it cannot be shown they did not run this pipeline (ALLOW_UNMAPPED_APPROVERS is off)`,
    };
  if (ask.kind === 'reject' && ask.comment.trim() === '')
    return { status: 400, reason: 'a rejection needs a comment: it is the reason the pipe shows' };
  const me = personOf(approver);
  if (ask.kind === 'approve' && entry.acts.some((a) => a.kind === 'approve' && personOf(a.approver) === me))
    return {
      status: 409,
      reason: `${approver.name} already approved request ${ask.requestId}; one person counts once`,
    };
  return undefined;
}
