/**
 * What the decision service learns from Bitbucket itself about a step, as opposed to what a
 * request declares: the deployment environment behind the token's `deploymentEnvironmentUuid`
 * and the pipeline behind its `pipelineUuid`. Everything here is looked up at the source.
 */

/** The repository a token names (verified claims), used to address the API. */
export interface RepositoryRef {
  readonly workspaceUuid: string;
  readonly repositoryUuid: string;
}

/** Bitbucket's environment types (`environment_type.name`). */
export type EnvironmentType = 'Test' | 'Staging' | 'Production';

export interface VerifiedEnvironment {
  readonly uuid: string;
  /** As named in the repository's deployment settings, e.g. `Production`. */
  readonly name: string;
  /** Bitbucket's slug of the name, e.g. `production`: the policy's `Environment::"<slug>"`. */
  readonly slug: string;
  readonly type: EnvironmentType;
  /** Where the fact came from: the REST API, or the operator's static map (offline set-ups). */
  readonly source: 'bitbucket-api' | 'environment-map';
}

/**
 * An environment the operator opened to steps without a deployment environment
 * (OPEN_ENVIRONMENTS): the step proves no environment, the operator vouches for the name.
 */
export interface OpenEnvironment {
  readonly name: string;
  readonly slug: string;
  readonly type: 'Open';
  readonly source: 'open-environments';
}

/** What the service established about a step beyond its token, before the policy is asked. */
export interface StepFacts {
  readonly environment: VerifiedEnvironment | OpenEnvironment;
  /** The pipeline run from Bitbucket's API; absent where only an environment map is configured. */
  readonly pipeline?: VerifiedPipeline;
  /** How the pipeline's commit was reviewed (BITBUCKET_REVIEW); absent when not looked up. */
  readonly review?: VerifiedReview;
}

/**
 * Code review of a commit, from Bitbucket's pull requests (review-facts.ts): whether it reached
 * the pipeline's branch through a merged pull request, and who approved that pull request.
 */
export interface VerifiedReview {
  readonly mergedViaPullRequest: boolean;
  /** Distinct approvers other than the pull request's author. */
  readonly approvals: number;
  /** Their account uuids, sorted. */
  readonly approvers: readonly string[];
  /** The pull request's author (account uuid); absent when not merged via one. */
  readonly author?: string;
  /** The pull request the facts are from. */
  readonly pullRequest?: number;
}

export interface VerifiedPipeline {
  readonly uuid: string;
  readonly buildNumber: number;
  /** The ref the pipeline runs for; `commit` for a custom run on a bare commit. */
  readonly ref: { readonly type: 'branch' | 'tag' | 'commit'; readonly name?: string };
  /** The full commit hash. */
  readonly commit: string;
  /** `push`, `manual`, `schedule`, … (from `pipeline_trigger_<x>`). */
  readonly trigger: string;
  /** Who ran it (`creator`): the Bitbucket account, never a guess. */
  readonly triggeredBy: { readonly uuid: string; readonly accountId?: string; readonly displayName?: string };
}

/**
 * The port: one job, looking facts up at the source. Every failure is a GateError. A source
 * without `pipeline` (the operator's environment map) cannot vouch for refs and commits.
 */
export interface BitbucketFacts {
  environment(repository: RepositoryRef, environmentUuid: string): Promise<VerifiedEnvironment>;
  readonly pipeline?: (repository: RepositoryRef, pipelineUuid: string) => Promise<VerifiedPipeline>;
  /** How `commit` reached `branch` (the pipeline's, when it runs for one): BITBUCKET_REVIEW only. */
  readonly review?: (repository: RepositoryRef, commit: string, branch?: string) => Promise<VerifiedReview>;
}
