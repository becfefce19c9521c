import { GateError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { RepositoryRef, VerifiedReview } from './facts.ts';
import type { BitbucketGet } from './http-api.ts';
import { parsePullRequest, parsePullRequestPage, reviewOf } from './parse-review.ts';
import { TtlCache } from './ttl-cache.ts';

/** At most this many pages of pull requests per commit (50 each); more is refused, not cut. */
const MAX_PAGES = 4;

export interface ReviewFacts {
  review(repository: RepositoryRef, commit: string, branch?: string): Promise<VerifiedReview>;
  /** Drops what is cached for a repository (a pull request of it was approved, unapproved or merged). */
  forget(repositoryUuid: string): void;
}

/**
 * Code review as a verified fact (issue 19 §2), at Bitbucket's REST API with the service's own
 * credential: the pull requests that contain the commit (GET /repositories/{workspace}/
 * {repo_slug}/commit/{commit}/pullrequests, scope `pullrequest`), then each one's participants,
 * state, destination and author (GET …/pullrequests/{id}). Cached like the other look-ups, per
 * repository, commit and branch; `forget` drops a repository's entries when a webhook says a
 * review changed. Any failure is a GateError and the decision is a deny naming the API (P4).
 */
export function bitbucketReviewFacts(options: {
  get: BitbucketGet;
  ttlMs: number;
  maxEntries?: number;
  clock: Clock;
}): ReviewFacts {
  const cache = new TtlCache<VerifiedReview>({
    ttlMs: options.ttlMs,
    maxEntries: options.maxEntries ?? 1_000,
    clock: options.clock,
  });
  const root = (r: RepositoryRef) =>
    `/repositories/${encodeURIComponent(r.workspaceUuid)}/${encodeURIComponent(r.repositoryUuid)}`;
  const key = (uuid: string) => `${uuid.toLowerCase()}\n`;
  return {
    review: (repository, commit, branch) =>
      cache.get(`${key(repository.repositoryUuid)}${commit}\n${branch ?? ''}`, async () => {
        const ids: number[] = [];
        let page = `${root(repository)}/commit/${encodeURIComponent(commit)}/pullrequests?pagelen=50`;
        for (let n = 1; ; n++) {
          const { ids: more, next } = parsePullRequestPage(await options.get(page));
          ids.push(...more);
          if (next === undefined) break;
          if (n >= MAX_PAGES)
            throw new GateError(
              'BITBUCKET_INVALID',
              `more than ${MAX_PAGES * 50} pull requests contain ${commit}`,
            );
          // `next` is a full URL on the same API: keep its path and query only.
          const url = new URL(next);
          page = `${url.pathname.replace(/^.*?\/repositories\//, '/repositories/')}${url.search}`;
        }
        const pullRequests = await Promise.all(
          [...new Set(ids)].map(async (id) =>
            parsePullRequest(await options.get(`${root(repository)}/pullrequests/${id}`), id),
          ),
        );
        return reviewOf(pullRequests, branch);
      }),
    forget: (repositoryUuid) => cache.forget(key(repositoryUuid)),
  };
}
