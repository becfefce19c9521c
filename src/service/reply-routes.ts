import { GateError } from '../errors.ts';
import { parseTopic } from '../transport/topic.ts';
import { deriveReplyTopic, type ReplyTemplate } from './reply-template.ts';

/** A topic that carries something else than decisions, and the option that names it. */
export interface ReservedTopic {
  /** `KEYS_TOPIC`, `AUDIT_TOPIC`, `TOPICS`, `dead-letter topic`. */
  readonly role: string;
  readonly topic: string;
}

/** KEYS_TOPIC and AUDIT_TOPIC where set: never a reply topic. */
export function serviceReservedTopics(
  keysTopic: string | undefined,
  auditTopic: string | undefined,
  decisionsTopic?: string,
): ReservedTopic[] {
  return [
    ...(decisionsTopic === undefined ? [] : [{ role: 'DECISIONS_TOPIC', topic: decisionsTopic }]),
    ...(keysTopic === undefined ? [] : [{ role: 'KEYS_TOPIC', topic: keysTopic }]),
    ...(auditTopic === undefined ? [] : [{ role: 'AUDIT_TOPIC', topic: auditTopic }]),
  ];
}

/** The request topics and their dead-letter topics, reserved like KEYS_TOPIC and AUDIT_TOPIC. */
export function serviceTopics(
  topics: readonly string[],
  deadLetterTopic: (topic: string) => string,
): ReservedTopic[] {
  return [
    ...topics.map((topic) => ({ role: 'TOPICS', topic })),
    ...topics.map((topic) => ({ role: 'dead-letter topic', topic: deadLetterTopic(topic) })),
  ];
}

/**
 * Every way the template fails for these request topics, one sentence each naming both
 * topics: no valid topic, a reserved topic, or one reply topic for two request topics.
 */
export function replyTopicConflicts(
  template: ReplyTemplate,
  topics: readonly string[],
  reserved: readonly ReservedTopic[],
): string[] {
  const problems: string[] = [];
  const taken = reservedByName(reserved);
  const replies = new Map<string, string>();
  for (const topic of topics) {
    const request = fullName(topic) ?? topic;
    let reply: string;
    try {
      reply = deriveReplyTopic(template, topic).full;
    } catch (error) {
      problems.push(
        `maps ${request} onto no valid topic (${error instanceof Error ? error.message : error})`,
      );
      continue;
    }
    const role = taken.get(reply);
    if (role !== undefined) problems.push(`maps ${request} onto ${role} ${reply}`);
    const other = replies.get(reply);
    if (other !== undefined) problems.push(`maps both ${other} and ${request} onto ${reply}`);
    replies.set(reply, request);
  }
  return problems;
}

/**
 * The reply topic of each request topic, checked once at start and again for every message
 * (defence in depth: whatever changes the mapping later, a decision never goes to a
 * reserved topic).
 */
export class ReplyRoutes {
  readonly #template: ReplyTemplate;
  readonly #taken: ReadonlyMap<string, string>;

  private constructor(template: ReplyTemplate, reserved: readonly ReservedTopic[]) {
    this.#template = template;
    this.#taken = reservedByName(reserved);
  }

  /** The routes; every conflict (replyTopicConflicts) is one line of a CONFIG_INVALID. */
  static checked(
    template: ReplyTemplate,
    topics: readonly string[],
    reserved: readonly ReservedTopic[],
  ): ReplyRoutes {
    const problems = replyTopicConflicts(template, topics, reserved);
    if (problems.length > 0) {
      const lines = problems.map((p) => `REPLY_TOPIC_TEMPLATE ${template.text} ${p}`);
      throw new GateError('CONFIG_INVALID', lines.join('\n'), { details: { path: 'serve options' } });
    }
    return new ReplyRoutes(template, reserved);
  }

  /** Where a request that arrived on `requestTopic` is answered, or why it cannot be. */
  replyTopicFor(
    requestTopic: string,
  ): { readonly ok: true; readonly topic: string } | { readonly ok: false; readonly reason: string } {
    let reply: string;
    try {
      reply = deriveReplyTopic(this.#template, requestTopic).full;
    } catch {
      return { ok: false, reason: `no reply topic can be derived from ${requestTopic}` };
    }
    const role = this.#taken.get(reply);
    if (role !== undefined) return { ok: false, reason: `the reply topic ${reply} is the ${role}` };
    return { ok: true, topic: reply };
  }
}

function fullName(topic: string): string | undefined {
  try {
    return parseTopic(topic).full;
  } catch {
    return undefined;
  }
}

/** Reserved topics by full name; a name that does not parse cannot be derived either. */
function reservedByName(reserved: readonly ReservedTopic[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const { role, topic } of reserved) {
    const full = fullName(topic);
    if (full !== undefined && !byName.has(full)) byName.set(full, role);
  }
  return byName;
}
