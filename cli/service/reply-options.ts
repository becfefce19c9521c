import { DEFAULT_DECISIONS_TOPIC_NAME } from '../../src/service/decisions-topic.ts';
import {
  DEFAULT_REPLY_TEMPLATE,
  parseReplyTemplate,
  type ReplyTemplate,
} from '../../src/service/reply-template.ts';
import { integer, topic } from '../options/parsers.ts';
import { fail, ok, options, type Parse } from '../options/spec.ts';

const replyTemplate: Parse<ReplyTemplate> = (value) => {
  const parsed = parseReplyTemplate(value);
  return parsed.ok ? ok(parsed.template) : fail(parsed.issue);
};

/**
 * Where `serve` answers, how many requests it answers, and where replicas share what they
 * decided (issue 13): part of SERVE_OPTIONS.
 */
export const REPLY_OPTIONS = options({
  decisionsTopic: {
    flag: '--decisions-topic',
    env: 'DECISIONS_TOPIC',
    parse: topic,
    defaultText: `persistent://<tenant>/<namespace>/${DEFAULT_DECISIONS_TOPIC_NAME} of the first of TOPICS`,
    accepts:
      'the topic every replica records its decisions on and reads before deciding (one decision per request, one key per step)',
  },
  replyTopicTemplate: {
    flag: '--reply-topic-template',
    env: 'REPLY_TOPIC_TEMPLATE',
    parse: replyTemplate,
    fallback: DEFAULT_REPLY_TEMPLATE,
    defaultText: DEFAULT_REPLY_TEMPLATE.text,
    accepts:
      'the reply topic of each request topic, from {topic} (its full name), {tenant}, {namespace} and {name}; never KEYS_TOPIC, AUDIT_TOPIC, DECISIONS_TOPIC, a request or dead-letter topic',
  },
  maxRequestsPerStep: {
    flag: '--max-requests-per-step',
    env: 'MAX_REQUESTS_PER_STEP',
    parse: integer(1, 1000),
    fallback: 5,
    accepts: 'requests one step (its verified stepUuid) may have decided, 1–1000, per replica',
  },
  rateLimitPerRepository: {
    flag: '--rate-limit-per-repository',
    env: 'RATE_LIMIT_PER_REPOSITORY',
    parse: integer(1, 100_000),
    fallback: 60,
    accepts:
      'requests one repository (its verified repositoryUuid) may have decided per minute, 1–100000, per replica',
  },
});
