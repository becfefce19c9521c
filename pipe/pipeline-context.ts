import type { Env } from '../cli/io.ts';
import type { PipelineContext } from '../src/events/request.ts';

/** The pipeline a request comes from, as Bitbucket describes it in the step's environment. */
export function pipelineContext(env: Env, environment: string): PipelineContext {
  const pick = (key: string): string | undefined => env[key]?.trim() || undefined;
  const fields: Record<string, string | undefined> = {
    repositoryUuid: pick('BITBUCKET_REPO_UUID'),
    pipelineUuid: pick('BITBUCKET_PIPELINE_UUID'),
    stepUuid: pick('BITBUCKET_STEP_UUID'),
    buildNumber: pick('BITBUCKET_BUILD_NUMBER'),
    commit: pick('BITBUCKET_COMMIT'),
    branch: pick('BITBUCKET_BRANCH'),
    tag: pick('BITBUCKET_TAG'),
    deploymentEnvironment: pick('BITBUCKET_DEPLOYMENT_ENVIRONMENT') ?? environment,
    deploymentEnvironmentUuid: pick('BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID'),
  };
  const defined = Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return Object.freeze({
    workspace: pick('BITBUCKET_WORKSPACE') ?? pick('BITBUCKET_REPO_OWNER') ?? 'local',
    repository: pick('BITBUCKET_REPO_FULL_NAME') ?? pick('BITBUCKET_REPO_SLUG') ?? 'local',
    ...defined,
  });
}
