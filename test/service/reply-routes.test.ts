import { describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { ReplyRoutes, replyTopicConflicts, serviceTopics } from '../../src/service/reply-routes.ts';
import {
  DEFAULT_REPLY_TEMPLATE,
  deriveReplyTopic,
  parseReplyTemplate,
  type ReplyTemplate,
} from '../../src/service/reply-template.ts';

const template = (text: string): ReplyTemplate => {
  const parsed = parseReplyTemplate(text);
  if (!parsed.ok) throw new Error(parsed.issue);
  return parsed.template;
};

const REQUESTS = 'persistent://platform/gates/payments';

describe('REPLY_TOPIC_TEMPLATE: parsed once, applied to the topic a request arrived on', () => {
  it('the default is what the pipe expects without REPLY_TOPIC: TOPIC + "-replies", short names included', () => {
    expect(deriveReplyTopic(DEFAULT_REPLY_TEMPLATE, REQUESTS).full).toBe(`${REQUESTS}-replies`);
    expect(deriveReplyTopic(DEFAULT_REPLY_TEMPLATE, 'gates').full).toBe(
      'persistent://public/default/gates-replies',
    );
  });

  it('places the parts where the template says; a short result stays in the request topic’s namespace', () => {
    expect(deriveReplyTopic(template('{tenant}/replies/{name}'), REQUESTS).full).toBe(
      'persistent://platform/replies/payments',
    );
    expect(deriveReplyTopic(template('answers-{name}'), REQUESTS).full).toBe(
      'persistent://platform/gates/answers-payments',
    );
    expect(deriveReplyTopic(template('non-persistent://{tenant}/{namespace}/{name}.r'), REQUESTS).full).toBe(
      'non-persistent://platform/gates/payments.r',
    );
  });

  it('refuses unknown placeholders, stray braces and a template every request topic would share', () => {
    expect(parseReplyTemplate('{topic}-{env}')).toEqual({
      ok: false,
      issue: 'has an unknown placeholder {env}',
    });
    expect(parseReplyTemplate('{topic}-replies}')).toEqual({ ok: false, issue: 'has an unmatched { or }' });
    expect(parseReplyTemplate('{topic')).toEqual({ ok: false, issue: 'has an unmatched { or }' });
    expect(parseReplyTemplate('platform/gates/replies')).toEqual({
      ok: false,
      issue: 'must contain {topic} or {name}',
    });
    expect(parseReplyTemplate('{tenant}/{namespace}/replies').ok).toBe(false);
  });

  it('a template that yields no topic name is a conflict naming the request topic', () => {
    expect(replyTopicConflicts(template('{topic}/x'), [REQUESTS], [])).toEqual([
      expect.stringMatching(/^maps persistent:\/\/platform\/gates\/payments onto no valid topic/),
    ]);
  });
});

describe('reply topics never land on a topic that carries something else', () => {
  const reserved = [
    { role: 'KEYS_TOPIC', topic: 'persistent://platform/gates/decision-keys' },
    { role: 'AUDIT_TOPIC', topic: 'platform/audit/trail' },
    ...serviceTopics([REQUESTS, 'platform/gates/staging'], (t) => `${t}-dlq`),
  ];

  it('names both topics for KEYS_TOPIC, AUDIT_TOPIC, a request topic and a dead-letter topic', () => {
    const topics = [REQUESTS, 'platform/gates/staging'];
    expect(replyTopicConflicts(DEFAULT_REPLY_TEMPLATE, topics, reserved)).toEqual([]);
    expect(replyTopicConflicts(template('{name}-dlq'), topics, reserved)).toEqual([
      `maps ${REQUESTS} onto dead-letter topic ${REQUESTS}-dlq`,
      'maps persistent://platform/gates/staging onto dead-letter topic persistent://platform/gates/staging-dlq',
    ]);
    expect(replyTopicConflicts(template('decision-{name}'), ['platform/gates/keys'], reserved)).toEqual([
      'maps persistent://platform/gates/keys onto KEYS_TOPIC persistent://platform/gates/decision-keys',
    ]);
    expect(
      replyTopicConflicts(template('platform/audit/{name}'), ['platform/gates/trail'], reserved),
    ).toEqual(['maps persistent://platform/gates/trail onto AUDIT_TOPIC persistent://platform/audit/trail']);
    expect(replyTopicConflicts(template('{name}'), topics, reserved)).toEqual([
      `maps ${REQUESTS} onto TOPICS ${REQUESTS}`,
      'maps persistent://platform/gates/staging onto TOPICS persistent://platform/gates/staging',
    ]);
  });

  it('two request topics never share a reply topic', () => {
    expect(replyTopicConflicts(template('shared/replies/{name}'), ['a/x/gate', 'b/y/gate'], [])).toEqual([
      'maps both persistent://a/x/gate and persistent://b/y/gate onto persistent://shared/replies/gate',
    ]);
  });

  it('ReplyRoutes.checked refuses to exist with a conflict, and refuses a reserved topic per message', () => {
    let thrown: unknown;
    try {
      ReplyRoutes.checked(template('decision-{name}'), ['platform/gates/keys'], reserved);
    } catch (error) {
      thrown = error;
    }
    expect(isGateError(thrown, 'CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toBe(
      'REPLY_TOPIC_TEMPLATE decision-{name} maps persistent://platform/gates/keys onto KEYS_TOPIC persistent://platform/gates/decision-keys',
    );
    const routes = ReplyRoutes.checked(template('{topic}-keys'), [REQUESTS], reserved);
    expect(routes.replyTopicFor(REQUESTS)).toEqual({ ok: true, topic: `${REQUESTS}-keys` });
    // A topic the service was never told about, whose derived reply topic is reserved.
    expect(routes.replyTopicFor('persistent://platform/gates/decision')).toEqual({
      ok: false,
      reason: 'the reply topic persistent://platform/gates/decision-keys is the KEYS_TOPIC',
    });
  });
});
