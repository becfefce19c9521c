import { isGateError } from '../errors.ts';
import { printable } from '../lib/printable.ts';
import type { BitbucketFacts, OpenEnvironment, StepFacts, VerifiedEnvironment } from './facts.ts';
import { slugOf } from './parse-environment.ts';
import { pipelineProblem } from './pipeline-agreement.ts';

/** The verified token claims the look-ups are addressed by (never the request's words). */
export interface TokenFacts {
  readonly workspaceUuid: string;
  readonly repositoryUuid: string;
  readonly pipelineUuid?: string;
  readonly deploymentEnvironmentUuid?: string;
  readonly branchName?: string;
}

/** What the request declares about itself: checked against the source, never believed. */
export interface DeclaredStep {
  readonly environment: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly commit?: string;
}

export type StepFactsResult =
  | { readonly ok: true; readonly facts: StepFacts }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly failedPath: string;
      readonly check: string;
      /** What was established before the check failed, for the decision log and the audit. */
      readonly known?: StepFacts;
    };

/**
 * Establishes the facts a policy may gate on (docs/design.md §3, P3): the environment the token
 * proves, named by Bitbucket (or an environment the operator opened to steps without one), and
 * the pipeline run the token names, as Bitbucket ran it. A request that declares anything else
 * — another environment, branch, tag or commit — fails here, naming both sides. Any look-up
 * failure fails too (P4): nothing is guessed.
 */
export async function resolveStepFacts(
  token: TokenFacts,
  declared: DeclaredStep,
  source: { readonly facts: BitbucketFacts; readonly openEnvironments: readonly string[] },
): Promise<StepFactsResult> {
  const repository = { workspaceUuid: token.workspaceUuid, repositoryUuid: token.repositoryUuid };
  const asked = declared.environment;
  let environment: VerifiedEnvironment | OpenEnvironment;
  if (token.deploymentEnvironmentUuid !== undefined) {
    const uuid = token.deploymentEnvironmentUuid;
    try {
      environment = await source.facts.environment(repository, uuid);
    } catch (error) {
      return lookupFailed(`the deployment environment ${printable(uuid)} the step token proves`, error);
    }
    if (!names(environment, asked))
      return {
        ok: false,
        known: { environment },
        reason: `the step token proves deployment environment "${environment.name}" (${environment.type}), but the request asks for "${printable(asked)}"`,
        failedPath: 'deployment environment (step token vs request)',
        check: 'environment-mismatch',
      };
  } else {
    const open = source.openEnvironments.find((name) => name.toLowerCase() === asked.toLowerCase());
    if (open === undefined)
      return {
        ok: false,
        reason: `the step has no deployment environment, and "${printable(asked)}" is not open to such steps (${
          source.openEnvironments.length ? `open: ${source.openEnvironments.join(', ')}` : 'none is open'
        })`,
        failedPath: 'deployment environment (none in the step token)',
        check: 'environment-not-open',
      };
    environment = Object.freeze({
      name: open,
      slug: slugOf(open),
      type: 'Open',
      source: 'open-environments',
    });
  }
  if (!source.facts.pipeline) return { ok: true, facts: Object.freeze({ environment }) };
  if (token.pipelineUuid === undefined)
    return {
      ok: false,
      reason: 'the step token names no pipeline',
      failedPath: 'step OIDC token (pipelineUuid)',
      check: 'pipeline-unknown',
    };
  let pipeline: Awaited<ReturnType<NonNullable<BitbucketFacts['pipeline']>>>;
  try {
    pipeline = await source.facts.pipeline(repository, token.pipelineUuid);
  } catch (error) {
    return {
      ...lookupFailed(`the pipeline ${printable(token.pipelineUuid)} the step token names`, error),
      known: { environment },
    };
  }
  const problem = pipelineProblem(pipeline, token, declared);
  if (problem) return { ok: false, ...problem, check: 'pipeline-mismatch', known: { environment, pipeline } };
  if (!source.facts.review) return { ok: true, facts: Object.freeze({ environment, pipeline }) };
  // Code review of the verified commit, never of one the request names (issue 19 §2).
  try {
    const branch = pipeline.ref.type === 'branch' ? pipeline.ref.name : undefined;
    const review = await source.facts.review(repository, pipeline.commit, branch);
    return { ok: true, facts: Object.freeze({ environment, pipeline, review }) };
  } catch (error) {
    return {
      ...lookupFailed(`the pull requests of commit ${pipeline.commit}`, error),
      known: { environment, pipeline },
    };
  }
}

/** A name a step may use for an environment: Bitbucket's name or slug, in any case. */
function names(environment: VerifiedEnvironment, asked: string): boolean {
  const a = asked.toLowerCase();
  return a === environment.slug.toLowerCase() || a === environment.name.toLowerCase();
}

function lookupFailed(what: string, error: unknown): Extract<StepFactsResult, { ok: false }> {
  const code = isGateError(error) ? error.code : 'BITBUCKET_UNAVAILABLE';
  const message = error instanceof Error ? error.message : 'failed';
  return {
    ok: false,
    reason: `could not look up ${what} at Bitbucket: ${message}`,
    failedPath: `Bitbucket's REST API (${code})`,
    check: 'lookup-failed',
  };
}
