import { boolean, matching, text, topic, url } from '../../options/parsers.ts';
import { options, type Rule } from '../../options/spec.ts';

/** `onboard`: which repository, its request topic, and, to apply, the admin REST API and token. */
export const ONBOARD_OPTIONS = options({
  repository: {
    flag: '--repository',
    required: true,
    parse: matching(
      /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i,
      'is not a repository UUID',
    ),
    accepts: "the repository's UUID, braces optional (Repository settings → OpenID Connect: repositoryUuid)",
  },
  workspace: {
    flag: '--workspace',
    required: true,
    parse: matching(/^[a-z0-9][a-z0-9_.-]{0,61}$/i, 'is not a workspace slug'),
    accepts: "the workspace's slug (its OIDC issuer is …/workspaces/<slug>/pipelines-config/identity/oidc)",
  },
  topic: {
    flag: '--topic',
    env: 'TOPIC',
    required: true,
    parse: topic,
    accepts: "the repository's request topic (its pipe's TOPIC)",
  },
  keysTopic: {
    flag: '--keys-topic',
    env: 'KEYS_TOPIC',
    parse: topic,
    accepts: "the service's KEYS_TOPIC, when pipes follow rotated keys",
  },
  replyTopic: {
    flag: '--reply-topic',
    env: 'REPLY_TOPIC',
    parse: topic,
    accepts:
      "the topic serve answers TOPIC on: its REPLY_TOPIC_TEMPLATE applied to TOPIC, as the pipe's REPLY_TOPIC",
    defaultText: 'TOPIC + "-replies" (the service\'s default template)',
  },
  deadLetterSuffix: {
    flag: '--dead-letter-suffix',
    env: 'DEAD_LETTER_SUFFIX',
    parse: text,
    fallback: '-dlq',
    accepts: "serve's DEAD_LETTER_SUFFIX",
  },
  serviceRole: {
    flag: '--service-role',
    parse: text,
    fallback: 'pulsar-gate-service',
    accepts: "the decision service's Pulsar role",
  },
  apply: {
    flag: '--apply',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: make the grants through the admin REST API instead of printing them',
  },
  adminUrl: {
    flag: '--admin-url',
    env: 'PULSAR_ADMIN_URL',
    parse: url(['https', 'http']),
    accepts: "the broker's admin REST API (its web service URL)",
  },
  adminToken: {
    flag: '--admin-token',
    env: 'PULSAR_ADMIN_TOKEN',
    secret: true,
    parse: text,
    accepts: 'a superuser or tenant-admin token (give it as a file: --admin-token-file)',
  },
});

/** --apply needs where and as whom; printing needs neither (PULSAR_ADMIN_URL only shapes the curl lines). */
export const ONBOARD_RULES: readonly Rule<typeof ONBOARD_OPTIONS>[] = [
  (v) =>
    v.apply !== true
      ? []
      : (['adminUrl', 'adminToken'] as const)
          .filter((key) => v[key] === undefined)
          .map((key) => ({ key, issue: 'is required with --apply' })),
];
