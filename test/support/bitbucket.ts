import { bitbucketApiFacts } from '../../src/bitbucket/api-facts.ts';
import type { BitbucketFacts } from '../../src/bitbucket/facts.ts';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { systemClock } from '../../src/time.ts';
import { bitbucketSite } from '../peers/bitbucket/site.ts';

/**
 * The facts port of an in-process service: this process's Bitbucket, over HTTP. `token`
 * replaces the service's credential (a revoked one), `cacheMs` 0 asks Bitbucket every time.
 */
export async function siteFacts(
  options: { token?: string; timeoutMs?: number; cacheMs?: number } = {},
): Promise<BitbucketFacts> {
  const site = await bitbucketSite();
  const token = options.token ?? site.token;
  const get = bitbucketHttp({
    baseUrl: site.url,
    accessToken: async () => token,
    timeoutMs: options.timeoutMs ?? 5_000,
  });
  return bitbucketApiFacts({ get, ttlMs: options.cacheMs ?? 60_000, clock: systemClock });
}

/** What a `serve` process needs to read this process's Bitbucket (the token as serve reads it). */
export async function siteServeEnv(): Promise<Record<string, string>> {
  const site = await bitbucketSite();
  return { BITBUCKET_API_URL: site.url, BITBUCKET_TOKEN: site.token };
}
