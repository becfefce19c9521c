import type { Clock } from '../time.ts';
import type { BitbucketFacts, RepositoryRef, VerifiedEnvironment, VerifiedPipeline } from './facts.ts';
import type { BitbucketGet } from './http-api.ts';
import { parseEnvironment } from './parse-environment.ts';
import { parsePipeline } from './parse-pipeline.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * Facts from Bitbucket's REST API, addressed by the token's verified UUIDs (the API takes a
 * brace-wrapped UUID wherever it takes a workspace or repository slug), so nothing a request
 * declares picks what is looked up. Environments change rarely and are cached for `ttlMs`;
 * a pipeline's ref, commit and creator never change, so they are cached the same way.
 */
export function bitbucketApiFacts(options: {
  get: BitbucketGet;
  ttlMs: number;
  maxEntries?: number;
  clock: Clock;
}): Required<Omit<BitbucketFacts, 'review'>> {
  const cacheOptions = {
    ttlMs: options.ttlMs,
    maxEntries: options.maxEntries ?? 1_000,
    clock: options.clock,
  };
  const environments = new TtlCache<VerifiedEnvironment>(cacheOptions);
  const pipelines = new TtlCache<VerifiedPipeline>(cacheOptions);
  const path = (repository: RepositoryRef, kind: string, uuid: string): string =>
    `/repositories/${encodeURIComponent(repository.workspaceUuid)}/${encodeURIComponent(repository.repositoryUuid)}/${kind}/${encodeURIComponent(uuid)}`;
  return {
    environment: (repository, uuid) => {
      const at = path(repository, 'environments', uuid);
      return environments.get(at, async () => parseEnvironment(await options.get(at), uuid));
    },
    pipeline: (repository, uuid) => {
      const at = path(repository, 'pipelines', uuid);
      return pipelines.get(at, async () => parsePipeline(await options.get(at), uuid));
    },
  };
}
