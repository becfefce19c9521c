import { bitbucketApiFacts } from '../../src/bitbucket/api-facts.ts';
import type { BitbucketFacts } from '../../src/bitbucket/facts.ts';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { systemClock } from '../../src/time.ts';
import { bitbucketSite } from '../peers/bitbucket/site.ts';

/** The facts port of an in-process service: this process's Bitbucket, over HTTP. */
export async function siteFacts(): Promise<BitbucketFacts> {
  const site = await bitbucketSite();
  const get = bitbucketHttp({ baseUrl: site.url, accessToken: async () => site.token, timeoutMs: 5_000 });
  return bitbucketApiFacts({ get, ttlMs: 60_000, clock: systemClock });
}

/** What a `serve` process needs to read this process's Bitbucket (the token as serve reads it). */
export async function siteServeEnv(): Promise<Record<string, string>> {
  const site = await bitbucketSite();
  return { BITBUCKET_API_URL: site.url, BITBUCKET_TOKEN: site.token };
}
