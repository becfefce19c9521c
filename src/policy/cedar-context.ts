import type { VerifiedPipeline, VerifiedReview } from '../bitbucket/facts.ts';
import type { CedarValueJson } from './cedar.ts';
import type { PolicyInput } from './types.ts';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/**
 * The policy's `context`, in two parts that say where they come from (docs/design.md §3, P3):
 *
 * - `pipeline` (when Bitbucket's API is configured): the run the step token names, as
 *   Bitbucket ran it — `build`, `ref` ("branch" | "tag" | "commit"), `branch?`, `tag?`, the
 *   full `commit`, `trigger` ("push", "manual", "schedule", …) and `triggeredBy` (the account
 *   uuid). Verified: looked up by the service, and the request agreed with it.
 * - `asked`: what the step asks for and declares — `environment`, `repository` (its name),
 *   `roleArn`, `region`, `sessionDurationSeconds`, `sessionPolicyDigest?`, and the
 *   `branch?`/`tag?`/`commit?` it declared. A policy that gates on these gates on the step's
 *   word; the sample policies do not.
 *
 * - `review` (when BITBUCKET_REVIEW is on): the verified commit's code review at Bitbucket —
 *   `mergedViaPullRequest`, `approvals` (distinct approvers other than the author),
 *   `approvers` (account uuids), `author?`. Verified: looked up by the service.
 *
 * And the service's clock, in UTC: `now` (a Cedar datetime), `hour` (0-23), `weekday`.
 */
export function cedarContext(input: PolicyInput): Record<string, CedarValueJson> {
  const { facts, request, now } = input;
  const p = request.pipeline;
  const c = request.credentials;
  const asked = withOptional(
    {
      environment: request.environment,
      repository: p.repository,
      roleArn: c.roleArn,
      region: c.region,
      sessionDurationSeconds: c.durationSeconds,
    },
    { sessionPolicyDigest: c.sessionPolicyDigest, branch: p.branch, tag: p.tag, commit: p.commit },
  );
  return {
    ...(facts.pipeline ? { pipeline: pipelineRecord(facts.pipeline) } : {}),
    ...(facts.review ? { review: reviewRecord(facts.review) } : {}),
    asked,
    // Cedar's datetime extension (https://docs.cedarpolicy.com/policies/syntax-datatypes.html#datatype-datetime)
    // takes RFC 3339 with milliseconds, which is what toISOString() writes.
    now: { __extn: { fn: 'datetime', arg: now.toISOString() } },
    hour: now.getUTCHours(),
    weekday: WEEKDAYS[now.getUTCDay()] ?? 'Sunday',
  };
}

/** `context.review` (BITBUCKET_REVIEW): how the verified commit was reviewed (issue 19 §2). */
function reviewRecord(review: VerifiedReview): Record<string, CedarValueJson> {
  return withOptional(
    {
      mergedViaPullRequest: review.mergedViaPullRequest,
      approvals: review.approvals,
      approvers: [...review.approvers],
    },
    { author: review.author },
  );
}

function pipelineRecord(run: VerifiedPipeline): Record<string, CedarValueJson> {
  return withOptional(
    {
      build: run.buildNumber,
      ref: run.ref.type,
      commit: run.commit,
      trigger: run.trigger,
      triggeredBy: run.triggeredBy.uuid,
    },
    {
      branch: run.ref.type === 'branch' ? run.ref.name : undefined,
      tag: run.ref.type === 'tag' ? run.ref.name : undefined,
    },
  );
}

/** Cedar optional attributes are absent, never null: only defined values are copied. */
export function withOptional(
  required: Record<string, CedarValueJson>,
  optional: Record<string, string | undefined>,
): Record<string, CedarValueJson> {
  const out = { ...required };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return out;
}
