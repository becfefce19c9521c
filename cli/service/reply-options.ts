import {
  DEFAULT_REPLY_TEMPLATE,
  parseReplyTemplate,
  type ReplyTemplate,
} from '../../src/service/reply-template.ts';
import { integer } from '../options/parsers.ts';
import { fail, ok, options, type Parse } from '../options/spec.ts';

const replyTemplate: Parse<ReplyTemplate> = (value) => {
  const parsed = parseReplyTemplate(value);
  return parsed.ok ? ok(parsed.template) : fail(parsed.issue);
};

/** Where `serve` answers, and how many requests it answers (issue 13): part of SERVE_OPTIONS. */
export const REPLY_OPTIONS = options({
  replyTopicTemplate: {
    flag: '--reply-topic-template',
    env: 'REPLY_TOPIC_TEMPLATE',
    parse: replyTemplate,
    fallback: DEFAULT_REPLY_TEMPLATE,
    defaultText: DEFAULT_REPLY_TEMPLATE.text,
    accepts:
      'the reply topic of each request topic, from {topic} (its full name), {tenant}, {namespace} and {name}; never KEYS_TOPIC, AUDIT_TOPIC, a request or dead-letter topic',
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
