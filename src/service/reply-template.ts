import { parseTopic, type TopicName } from '../transport/topic.ts';

/**
 * Where the service answers a request: a topic derived from the topic the request arrived
 * on, never one the request names (issue 13 §2). A request could otherwise have signed
 * decisions published on the keys topic every pipe reads, on the audit topic, or on another
 * repository's reply topic.
 *
 * The template's placeholders are `{topic}` (the request topic's full name,
 * `persistent://tenant/namespace/name`), `{tenant}`, `{namespace}` and `{name}`. A result
 * without a tenant and namespace lives in the request topic's namespace.
 */
export interface ReplyTemplate {
  readonly text: string;
}

/** What the pipe expects without REPLY_TOPIC: TOPIC + `-replies`. */
export const DEFAULT_REPLY_TEMPLATE: ReplyTemplate = Object.freeze({ text: '{topic}-replies' });

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = new Set(['topic', 'tenant', 'namespace', 'name']);

/** Checks the template's syntax; whether it names a valid, free topic is `replyTopicConflicts`' job. */
export function parseReplyTemplate(
  text: string,
): { readonly ok: true; readonly template: ReplyTemplate } | { readonly ok: false; readonly issue: string } {
  const names = [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  const unknown = names.find((name) => !KNOWN.has(name));
  if (unknown !== undefined) return { ok: false, issue: `has an unknown placeholder {${unknown}}` };
  if (/[{}]/.test(text.replace(PLACEHOLDER, ''))) return { ok: false, issue: 'has an unmatched { or }' };
  // One reply topic per request topic: a template without the topic's own name would send
  // every request topic's decisions to one topic, readable by every repository.
  if (!names.includes('topic') && !names.includes('name'))
    return { ok: false, issue: 'must contain {topic} or {name}' };
  return { ok: true, template: Object.freeze({ text }) };
}

/** The reply topic for `requestTopic`; throws CONFIG_INVALID (parseTopic) when it is no topic. */
export function deriveReplyTopic(template: ReplyTemplate, requestTopic: string): TopicName {
  const request = parseTopic(requestTopic);
  const values: Record<string, string> = {
    topic: request.full,
    tenant: request.tenant,
    namespace: request.namespace,
    name: request.local,
  };
  const text = template.text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
  return parseTopic(text, `${request.tenant}/${request.namespace}`);
}
