import type { VerifiedReview } from '../bitbucket/facts.ts';
import type { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';

/**
 * `facts.review` of a `policy test` request file (and `verified.review` of a suite case): the
 * code review the service would have looked up with BITBUCKET_REVIEW=true.
 *
 *   "review"?: { "mergedViaPullRequest": true, "approvers": ["{uuid}", …], "author"?: "{uuid}" }
 *
 * `approvals` is worked out as the service does: distinct approvers other than the author.
 */
export function readTestReview(value: unknown, bad: (m: string) => GateError): VerifiedReview {
  if (!isRecord(value) || typeof value.mergedViaPullRequest !== 'boolean')
    throw bad('facts.review needs mergedViaPullRequest (true or false)');
  const { approvers = [], author } = value;
  if (!Array.isArray(approvers) || !approvers.every((a) => typeof a === 'string'))
    throw bad('facts.review.approvers must be an array of account uuids');
  if (author !== undefined && typeof author !== 'string') throw bad('facts.review.author must be a string');
  const others = [...new Set(approvers.map((a) => a.toLowerCase()))]
    .filter((a) => a !== author?.toLowerCase())
    .sort();
  return {
    mergedViaPullRequest: value.mergedViaPullRequest,
    approvals: others.length,
    approvers: others,
    ...(author === undefined ? {} : { author: author.toLowerCase() }),
  };
}
