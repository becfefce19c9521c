import { topicMap } from '../../src/webhooks/topic-map.ts';
import { integer, list, matching, text } from '../options/parsers.ts';
import { PULSAR_URL_OPTION, pulsarTokenOption } from '../options/shared-options.ts';
import { fail, ok, options, type Parse } from '../options/spec.ts';

/** One WEBHOOK_TOPICS rule, checked here so that a bad one is reported with every other problem. */
const topicRule: Parse<string> = (value) => {
  try {
    topicMap([value], 'public/default');
    return ok(value);
  } catch (error) {
    return fail(
      error instanceof Error ? error.message.replace(/^WEBHOOK_TOPICS rule "[^"]*" /, '') : 'is invalid',
    );
  }
};

/**
 * `pulsar-gate-service webhooks`: Bitbucket Cloud webhooks into Pulsar (README: "Webhooks into
 * Pulsar"). Its own process, port and Pulsar role, apart from `serve` (docs/architecture.md).
 */
export const WEBHOOKS_OPTIONS = options({
  pulsarUrl: { ...PULSAR_URL_OPTION, required: true },
  pulsarToken: pulsarTokenOption('a Pulsar token whose role may produce on the webhook topics'),
  webhookSecret: {
    flag: '--webhook-secret',
    env: 'WEBHOOK_SECRET',
    secret: true,
    required: true,
    parse: text,
    accepts:
      "the webhook's secret as set in Bitbucket, as a file (WEBHOOK_SECRET_FILE); a second line holds the next secret while rotating",
  },
  namespace: {
    flag: '--webhook-namespace',
    env: 'WEBHOOK_NAMESPACE',
    parse: matching(/^[A-Za-z0-9_=:.-]+\/[A-Za-z0-9_=:.-]+$/, 'is not TENANT/NAMESPACE'),
    fallback: 'public/default',
    accepts:
      'TENANT/NAMESPACE of the default topics, one per event family: bitbucket-repo, bitbucket-pullrequest, …',
  },
  topics: {
    flag: '--webhook-topics',
    env: 'WEBHOOK_TOPICS',
    parse: list(topicRule),
    fallback: [],
    accepts:
      'comma-separated rules event-key=topic or family:*=topic (repo:push=…, pullrequest:*=…) over the defaults',
    defaultText: 'none: persistent://<WEBHOOK_NAMESPACE>/bitbucket-<family>',
  },
  host: {
    flag: '--webhook-host',
    env: 'WEBHOOK_HOST',
    parse: text,
    fallback: '127.0.0.1',
    accepts: 'the listen address (0.0.0.0 behind a TLS-terminating proxy or load balancer)',
  },
  port: {
    flag: '--webhook-port',
    env: 'WEBHOOK_PORT',
    parse: integer(0, 65_535),
    fallback: 8080,
    accepts: 'the listen port, 0–65535 (0: any free port)',
  },
  path: {
    flag: '--webhook-path',
    env: 'WEBHOOK_PATH',
    parse: matching(/^\/[A-Za-z0-9/_.-]*$/, 'is not a URL path'),
    fallback: '/bitbucket/webhooks',
    accepts: "the URL path Bitbucket posts to (the webhook's URL ends with it)",
  },
  maxBodyBytes: {
    flag: '--webhook-max-body',
    env: 'WEBHOOK_MAX_BODY',
    parse: integer(1024, 700_000),
    fallback: 524_288,
    accepts:
      "bytes, 1024–700000: larger deliveries are refused with 413 (the event must fit the broker's 1 MiB WebSocket frame)",
  },
  replayTtlSeconds: {
    flag: '--webhook-replay-ttl',
    env: 'WEBHOOK_REPLAY_TTL',
    parse: integer(60, 604_800),
    fallback: 86_400,
    accepts: 'seconds, 60–604800: how long a delivery id is remembered to refuse its replay (409)',
  },
  replayMaxEntries: {
    flag: '--webhook-replay-max',
    env: 'WEBHOOK_REPLAY_MAX',
    parse: integer(100, 10_000_000),
    fallback: 100_000,
    accepts: 'how many delivery ids are remembered at most (the oldest is forgotten first)',
  },
  publishTimeoutSeconds: {
    flag: '--webhook-publish-timeout',
    env: 'WEBHOOK_PUBLISH_TIMEOUT',
    parse: integer(1, 60),
    fallback: 8,
    accepts:
      'seconds, 1–60: how long a delivery waits for the broker to store it before 503 (Bitbucket waits ~10 s)',
  },
});
