/**
 * The BITBUCKET_* variables a pipe container sees, made consistent with the claims of the
 * step's OIDC token so that a test step looks like one real step to every component that
 * reads either.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { environmentName, registeredRun } from '../bitbucket/site.ts';
import { braceUuid } from './claims.ts';

export type StepContext = {
  workspace: string;
  repoSlug: string;
  buildNumber: string;
  commit: string;
  triggererUuid: string;
  deploymentEnvironment: string;
};

export function stepContext(workspace: string): StepContext {
  return {
    workspace,
    repoSlug: 'payments-api',
    buildNumber: '1742',
    commit: randomBytes(20).toString('hex'),
    triggererUuid: braceUuid(),
    deploymentEnvironment: 'production',
  };
}

function claim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `overrides` replace variables; an `undefined` value removes one (e.g. the token, for a step
 * without `oidc: true`).
 */
export function stepEnvironment(
  context: StepContext,
  token: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const claims = decodeJwt(token);
  const clone = '/opt/atlassian/pipelines/agent/build';
  const pipes = `${clone}/.bitbucket/pipelines/generated/pipeline/pipes`;
  const envUuid = claim(claims, 'deploymentEnvironmentUuid');
  const run = registeredRun(claim(claims, 'repositoryUuid') ?? '', claim(claims, 'pipelineUuid') ?? '');
  const base: Record<string, string | undefined> = {
    CI: 'true',
    BITBUCKET_CLONE_DIR: clone,
    BITBUCKET_PIPE_STORAGE_DIR: `${pipes}/example/pulsar-gate`,
    BITBUCKET_PIPE_SHARED_STORAGE_DIR: pipes,
    BITBUCKET_BUILD_NUMBER: context.buildNumber,
    BITBUCKET_COMMIT: run?.commit ?? context.commit,
    BITBUCKET_TAG: run?.tag,
    BITBUCKET_BRANCH: claim(claims, 'branchName'),
    BITBUCKET_REPO_SLUG: context.repoSlug,
    BITBUCKET_REPO_FULL_NAME: `${context.workspace}/${context.repoSlug}`,
    BITBUCKET_REPO_OWNER: context.workspace,
    BITBUCKET_REPO_UUID: claim(claims, 'repositoryUuid'),
    BITBUCKET_WORKSPACE: context.workspace,
    BITBUCKET_PROJECT_KEY: 'PAY',
    BITBUCKET_PIPELINE_UUID: claim(claims, 'pipelineUuid'),
    BITBUCKET_STEP_UUID: claim(claims, 'stepUuid'),
    BITBUCKET_STEP_RUN_NUMBER: '1',
    BITBUCKET_STEP_TRIGGERER_UUID: context.triggererUuid,
    // Only deployment steps carry the environment, in the variables as in the token.
    BITBUCKET_DEPLOYMENT_ENVIRONMENT:
      envUuid === undefined ? undefined : (environmentName(envUuid) ?? context.deploymentEnvironment),
    BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID: envUuid,
    BITBUCKET_STEP_OIDC_TOKEN: token,
    DEBUG: 'false',
    ...overrides,
  };
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) environment[name] = value;
  return environment;
}
