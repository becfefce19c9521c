import type { StepFacts } from '../bitbucket/facts.ts';
import type { Verdict } from '../events/decision.ts';
import { deepFreeze } from '../events/deep-freeze.ts';
import type { PipelineContext, RequestEvent } from '../events/request.ts';
import type { ApprovalRequirement } from './approval-facts.ts';
import type { AskedPipeline, DecisionFacts, VerifiedIdentity, VerifiedStep } from './decision-facts.ts';

/** A decision shows at most this many reasons, as the signed decision does. */
const MAX_REASONS = 16;

/**
 * Builds a decision's facts. Every field is copied by name, never by spreading the request or
 * the claims: the identity token, the credentials' other metadata and any field a request
 * grows later cannot slip into a log line or an audit record.
 */
export function buildDecisionFacts(input: {
  readonly event: RequestEvent;
  /** The verified step token's claims; undefined when it did not verify. */
  readonly claims: VerifiedStep | undefined;
  /** What the service established at Bitbucket, when it got that far. */
  readonly stepFacts?: StepFacts | undefined;
  /** The policy's answer, or the check that refused the request (see PolicyDecision). */
  readonly result: {
    readonly verdict: Verdict;
    readonly determining: readonly string[];
    readonly reasons: readonly string[];
    readonly approvers?: readonly string[] | undefined;
    readonly approval?: readonly ApprovalRequirement[] | undefined;
    readonly failedPath?: string | undefined;
  };
  readonly policyDigest: string;
  readonly decidedAt: Date;
  readonly verificationFailure?: string | undefined;
}): DecisionFacts {
  const { event, claims, result } = input;
  const { action, environment, pipeline, credentials } = event.data;
  return deepFreeze({
    requestId: event.id,
    verified: claims === undefined ? null : verifiedIdentity(claims, input.stepFacts),
    asked: {
      action,
      environment,
      pipeline: askedPipeline(pipeline),
      role: { roleArn: credentials.roleArn, sessionName: credentials.sessionName },
    },
    verdict: result.verdict,
    reasons: result.reasons.slice(0, MAX_REASONS),
    policies: [...result.determining],
    policyDigest: input.policyDigest,
    ...(result.approvers?.length ? { approvers: [...result.approvers] } : {}),
    ...(result.verdict === 'pending' && result.approval?.length ? { approval: [...result.approval] } : {}),
    ...(result.failedPath ? { failedPath: result.failedPath } : {}),
    ...(input.verificationFailure ? { verificationFailure: input.verificationFailure } : {}),
    requestedAt: event.time,
    decidedAt: input.decidedAt.toISOString(),
  });
}

/**
 * The same request's facts with the verdict overruled to a deny (e.g. its audit record could
 * not be mirrored in time): who asked and what for stay; no policy granted this deny.
 */
export function deniedInstead(
  facts: DecisionFacts,
  why: { reason: string; failedPath: string },
): DecisionFacts {
  return deepFreeze({
    requestId: facts.requestId,
    verified: facts.verified,
    asked: facts.asked,
    verdict: 'deny',
    reasons: [why.reason],
    policies: [],
    policyDigest: facts.policyDigest,
    failedPath: why.failedPath,
    ...(facts.verificationFailure ? { verificationFailure: facts.verificationFailure } : {}),
    requestedAt: facts.requestedAt,
    decidedAt: facts.decidedAt,
  });
}

function verifiedIdentity(claims: VerifiedStep, facts: StepFacts | undefined): VerifiedIdentity {
  const env = facts?.environment;
  const run = facts?.pipeline;
  return {
    iss: claims.iss,
    sub: claims.sub,
    workspaceUuid: claims.workspaceUuid,
    repositoryUuid: claims.repositoryUuid,
    stepUuid: claims.stepUuid,
    ...strings(claims, ['pipelineUuid', 'branchName', 'deploymentEnvironmentUuid']),
    ...(env ? { environment: { name: env.name, slug: env.slug, type: env.type, source: env.source } } : {}),
    ...(run
      ? {
          pipeline: {
            build: run.buildNumber,
            ref: run.ref.type,
            ...(run.ref.type === 'branch' && run.ref.name ? { branch: run.ref.name } : {}),
            ...(run.ref.type === 'tag' && run.ref.name ? { tag: run.ref.name } : {}),
            commit: run.commit,
            trigger: run.trigger,
            triggeredBy: run.triggeredBy.uuid,
            ...(run.triggeredBy.accountId ? { triggeredByAccountId: run.triggeredBy.accountId } : {}),
          },
        }
      : {}),
  };
}

function askedPipeline(pipeline: PipelineContext): AskedPipeline {
  return {
    workspace: pipeline.workspace,
    repository: pipeline.repository,
    ...strings(pipeline, [
      'repositoryUuid',
      'pipelineUuid',
      'stepUuid',
      'buildNumber',
      'commit',
      'branch',
      'tag',
      'deploymentEnvironment',
      'deploymentEnvironmentUuid',
    ]),
  };
}

/** The named members that hold a string; absent ones stay absent rather than `undefined`. */
function strings<K extends string>(
  from: { readonly [P in K]?: string | undefined },
  names: readonly K[],
): { [P in K]?: string } {
  const out: { [P in K]?: string } = {};
  for (const name of names) {
    const value = from[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
