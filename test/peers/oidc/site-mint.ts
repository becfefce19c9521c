/**
 * Minting as Bitbucket issues tokens: for an environment Bitbucket knows by name and a
 * pipeline run it really ran (this process's Bitbucket site, test/peers/bitbucket/site.ts),
 * so the decision service's look-ups confirm what the token says. Explicit UUIDs in the
 * options are kept as given (a test that forges or leaves out a claim means it).
 */
import { bitbucketSite } from '../bitbucket/site.ts';
import type { IssuerIdentity, MintOptions } from './claims.ts';

export async function siteMintOptions(
  identity: IssuerIdentity,
  options: MintOptions,
  commit: string,
): Promise<MintOptions> {
  const site = await bitbucketSite();
  const repository = {
    workspaceUuid: options.workspaceUuid ?? identity.workspaceUuid,
    repositoryUuid: options.repositoryUuid ?? identity.repositoryUuid,
  };
  const environment = options.environment === undefined ? 'production' : options.environment;
  const deploymentEnvironmentUuid =
    options.deploymentEnvironmentUuid !== undefined
      ? options.deploymentEnvironmentUuid
      : environment === null
        ? null
        : site.environmentUuid(repository, environment);
  const pipelineUuid =
    options.pipelineUuid ??
    site.pipeline(repository, {
      ...(options.tag === undefined ? { branch: options.branchName ?? 'main' } : { tag: options.tag }),
      commit,
    });
  return {
    ...options,
    deploymentEnvironmentUuid,
    pipelineUuid,
    // A tag run's token has no branchName (Bitbucket: absent on tag pipelines).
    ...(options.tag === undefined ? {} : { omit: [...(options.omit ?? []), 'branchName'] }),
  };
}
