import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import type { VerifiedReview } from './facts.ts';

/** A pull request as far as review facts need it (GET …/pullrequests/{id}). */
interface PullRequest {
  readonly id: number;
  readonly state: string;
  readonly destination?: string;
  readonly mergeCommit?: string;
  readonly author: string;
  readonly approvers: readonly string[];
}

const invalid = (what: string) => new GateError('BITBUCKET_INVALID', `Bitbucket's API answered ${what}`);

/**
 * The ids of a page of "List pull requests that contain a commit" (GET /repositories/{workspace}/
 * {repo_slug}/commit/{commit}/pullrequests, a paginated list: `values`, `next`).
 */
export function parsePullRequestPage(body: unknown): { ids: number[]; next?: string } {
  if (!isRecord(body) || !Array.isArray(body.values)) throw invalid('no list of pull requests');
  const ids = body.values.map((v) => (isRecord(v) && Number.isInteger(v.id) ? Number(v.id) : Number.NaN));
  if (ids.some((id) => !Number.isInteger(id) || id < 1)) throw invalid('a pull request without an id');
  return { ids, ...(typeof body.next === 'string' ? { next: body.next } : {}) };
}

/** A `pullrequest` body: state, destination branch, merge commit, author, participants. */
export function parsePullRequest(body: unknown, id: number): PullRequest {
  if (!isRecord(body) || body.type !== 'pullrequest' || body.id !== id)
    throw invalid(`not pull request ${id}`);
  const author = isRecord(body.author) ? body.author.uuid : undefined;
  if (typeof author !== 'string' || typeof body.state !== 'string')
    throw invalid(`pull request ${id} without author or state`);
  if (!Array.isArray(body.participants)) throw invalid(`pull request ${id} without participants`);
  const approvers = body.participants.flatMap((p) =>
    isRecord(p) && p.approved === true && isRecord(p.user) && typeof p.user.uuid === 'string'
      ? [p.user.uuid]
      : [],
  );
  const destination =
    isRecord(body.destination) && isRecord(body.destination.branch)
      ? body.destination.branch.name
      : undefined;
  const merge = isRecord(body.merge_commit) ? body.merge_commit.hash : undefined;
  return {
    id,
    state: body.state,
    author,
    approvers,
    ...(typeof destination === 'string' ? { destination } : {}),
    ...(typeof merge === 'string' ? { mergeCommit: merge } : {}),
  };
}

/**
 * The review of a commit from the pull requests that contain it: only MERGED ones count, and
 * when the pipeline runs for a branch, only those merged INTO that branch (a commit approved
 * into `develop` and pushed straight to `main` was not reviewed for `main`). Of those, the one
 * with the most distinct approvers other than its author: the author approving their own pull
 * request is no review, and one person is counted once however often they approved (uuids
 * compared case-insensitively, braces and all).
 */
export function reviewOf(pullRequests: readonly PullRequest[], branch: string | undefined): VerifiedReview {
  let best: VerifiedReview = { mergedViaPullRequest: false, approvals: 0, approvers: [] };
  for (const pr of pullRequests) {
    if (pr.state !== 'MERGED') continue;
    if (branch !== undefined && pr.destination !== branch) continue;
    const author = pr.author.toLowerCase();
    const approvers = [...new Set(pr.approvers.map((a) => a.toLowerCase()))]
      .filter((a) => a !== author)
      .sort();
    if (!best.mergedViaPullRequest || approvers.length > best.approvals)
      best = {
        mergedViaPullRequest: true,
        approvals: approvers.length,
        approvers,
        author,
        pullRequest: pr.id,
      };
  }
  return Object.freeze({ ...best, approvers: Object.freeze([...best.approvers]) });
}
