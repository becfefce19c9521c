import { boolean, integer, list, text, topic, url } from '../options/parsers.ts';
import { options, type Rule } from '../options/spec.ts';

/**
 * Where `serve` looks up the facts a policy gates on (README: "What the policy sees"): the
 * environment a step token proves and the pipeline run it names, at Bitbucket's REST API with
 * the service's own credential, or — for set-ups without API access — an environment map.
 */
export const BITBUCKET_OPTIONS = options({
  bitbucketApiUrl: {
    flag: '--bitbucket-api-url',
    env: 'BITBUCKET_API_URL',
    parse: url(['https', 'http']),
    fallback: 'https://api.bitbucket.org/2.0',
    accepts: "Bitbucket's REST API root",
  },
  bitbucketToken: {
    flag: '--bitbucket-token',
    env: 'BITBUCKET_TOKEN',
    secret: true,
    parse: text,
    accepts:
      'an access token (workspace or repository access token, scopes: pipeline and repository read) the service reads Bitbucket with; give it as a file',
  },
  environmentMap: {
    flag: '--environment-map',
    env: 'ENVIRONMENT_MAP',
    parse: text,
    accepts:
      'instead of the API: a JSON file {"{uuid}": {"name", "type"}} naming the deployment environments',
  },
  openEnvironments: {
    flag: '--open-environments',
    env: 'OPEN_ENVIRONMENTS',
    parse: list(text),
    fallback: [],
    accepts: 'comma-separated environments a step WITHOUT a deployment environment may ask for',
    defaultText: 'none',
  },
  bitbucketReview: {
    flag: '--bitbucket-review',
    env: 'BITBUCKET_REVIEW',
    parse: boolean,
    fallback: false,
    accepts:
      "true or false: look up how the pipeline's commit was reviewed (pull requests, approvals) for context.review; the token needs the pullrequest read scope",
  },
  reviewEventsTopic: {
    flag: '--review-events-topic',
    env: 'REVIEW_EVENTS_TOPIC',
    parse: topic,
    accepts:
      "the pull request topic `webhooks` writes: an approved, unapproved, merged or declined event drops that repository's cached review",
  },
  bitbucketCacheSeconds: {
    flag: '--bitbucket-cache',
    env: 'BITBUCKET_CACHE',
    parse: integer(0, 3600),
    fallback: 300,
    accepts: 'seconds, 0–3600: how long a looked-up environment or pipeline is kept',
  },
  bitbucketTimeoutSeconds: {
    flag: '--bitbucket-timeout',
    env: 'BITBUCKET_TIMEOUT',
    parse: integer(1, 60),
    fallback: 5,
    accepts: 'seconds, 1–60: how long one look-up may take, retries included, before the request is denied',
  },
});

type BitbucketOptions = typeof BITBUCKET_OPTIONS;

/** Facts come from exactly one source: the API (with a token) or the operator's map. */
export const oneFactSource: Rule<BitbucketOptions> = (v) => {
  if (v.bitbucketToken !== undefined && v.environmentMap !== undefined)
    return [{ key: 'environmentMap', issue: 'cannot be used with BITBUCKET_TOKEN; choose one' }];
  if (v.bitbucketReview === true && v.environmentMap !== undefined)
    return [
      { key: 'bitbucketReview', issue: "needs Bitbucket's API (BITBUCKET_TOKEN), not ENVIRONMENT_MAP" },
    ];
  if (v.reviewEventsTopic !== undefined && v.bitbucketReview !== true)
    return [{ key: 'reviewEventsTopic', issue: 'only means something with BITBUCKET_REVIEW=true' }];
  if (v.bitbucketToken === undefined && v.environmentMap === undefined)
    return [
      {
        key: 'bitbucketToken',
        issue:
          'is required (or ENVIRONMENT_MAP): the service names environments and pipelines from Bitbucket, never from the request',
      },
    ];
  return [];
};
