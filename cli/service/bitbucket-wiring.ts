import { readFile } from 'node:fs/promises';
import { bitbucketApiFacts } from '../../src/bitbucket/api-facts.ts';
import { environmentMapFacts, parseEnvironmentMap } from '../../src/bitbucket/environment-map.ts';
import type { BitbucketFacts } from '../../src/bitbucket/facts.ts';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { bitbucketReviewFacts, type ReviewFacts } from '../../src/bitbucket/review-facts.ts';
import { GateError } from '../../src/errors.ts';
import { followReviewEvents } from '../../src/service/review-events.ts';
import { systemClock } from '../../src/time.ts';
import type { Transport } from '../../src/transport/transport.ts';
import type { ServeConfig } from './serve-config.ts';

/** The facts port `serve` decides with: Bitbucket's API, or the operator's environment map. */
export async function bitbucketFacts(
  config: ServeConfig['bitbucket'],
): Promise<BitbucketFacts & { reviews?: ReviewFacts }> {
  if (config.kind === 'map') {
    let text: string;
    try {
      text = await readFile(config.file, 'utf8');
    } catch (cause) {
      const code = cause instanceof Error && 'code' in cause ? String(cause.code) : 'unreadable';
      throw new GateError('CONFIG_INVALID', `ENVIRONMENT_MAP: cannot read ${config.file} (${code})`, {
        cause,
      });
    }
    return environmentMapFacts(parseEnvironmentMap(text, `ENVIRONMENT_MAP ${config.file}`));
  }
  const { token } = config;
  const get = bitbucketHttp({
    baseUrl: config.url,
    accessToken: async () => token,
    timeoutMs: config.timeoutSeconds * 1000,
  });
  const cache = { get, ttlMs: config.cacheSeconds * 1000, clock: systemClock };
  const api = bitbucketApiFacts(cache);
  if (!config.review) return api;
  const reviews = bitbucketReviewFacts(cache);
  return { ...api, review: reviews.review, reviews };
}

/** With REVIEW_EVENTS_TOPIC, webhook events about pull requests drop cached reviews (review-events.ts). */
export async function followReviews(
  config: ServeConfig['bitbucket'],
  reviews: ReviewFacts | undefined,
  transport: Transport,
  log: (level: string, message: string) => void,
): Promise<{ stop(): Promise<void> } | undefined> {
  if (config.kind !== 'api' || config.reviewEventsTopic === undefined || reviews === undefined)
    return undefined;
  return followReviewEvents({ transport, topic: config.reviewEventsTopic, forget: reviews.forget, log });
}
