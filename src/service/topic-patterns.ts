import { GateError } from '../errors.ts';
import { parseTopic } from '../transport/topic.ts';

/**
 * A `TOPICS` entry: a topic, or a pattern over one namespace's topics
 * (`persistent://ci/gates/.*-requests`). The namespace is always literal, so a pattern can
 * never reach beyond the namespace an operator names; the local name is a JavaScript regular
 * expression matched whole (as Pulsar's own topicsPattern is matched against full names).
 */
export type TopicEntry =
  | { readonly kind: 'topic'; readonly full: string }
  | {
      readonly kind: 'pattern';
      readonly text: string;
      readonly persistence: 'persistent' | 'non-persistent';
      /** `tenant/namespace` */
      readonly namespace: string;
      readonly name: RegExp;
    };

/** Characters that make an entry a pattern: none of them may appear in a Pulsar topic name. */
const REGEX = /[*+?()[\]{}|^$\\]/;
const FULL = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/(.+)$/;

/** Parses one entry; a CONFIG_INVALID says what is wrong. */
export function parseTopicEntry(text: string): TopicEntry {
  const trimmed = text.trim();
  if (!REGEX.test(trimmed)) return { kind: 'topic', full: parseTopic(trimmed).full };
  const match = FULL.exec(trimmed);
  if (match === null)
    throw new GateError(
      'CONFIG_INVALID',
      `invalid topic pattern "${trimmed}": a pattern names its namespace: persistent://TENANT/NAMESPACE/REGEX`,
    );
  const [, persistence = 'persistent', tenant = '', namespace = '', local = ''] = match;
  // The namespace part must be a valid, literal name: checked as a topic in it would be.
  parseTopic(`${persistence}://${tenant}/${namespace}/x`);
  let name: RegExp;
  try {
    name = new RegExp(`^(?:${local})$`);
  } catch (error) {
    throw new GateError(
      'CONFIG_INVALID',
      `invalid topic pattern "${trimmed}": ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    kind: 'pattern',
    text: trimmed,
    persistence: persistence === 'non-persistent' ? 'non-persistent' : 'persistent',
    namespace: `${tenant}/${namespace}`,
    name,
  };
}

/** A topic in the entry's namespace: where the decisions topic's default namespace comes from. */
export const anchorTopic = (entry: TopicEntry): string =>
  entry.kind === 'topic' ? entry.full : `${entry.persistence}://${entry.namespace}/pattern`;

/** The topics of a namespace as full names (Pulsar's admin REST API: GET /admin/v2/{domain}/{tenant}/{ns}). */
export type ListTopics = (
  persistence: 'persistent' | 'non-persistent',
  namespace: string,
) => Promise<readonly string[]>;

/** A partition of a partitioned topic (`name-partition-3`) is consumed through its topic. */
const PARTITION = /-partition-\d+$/;

/**
 * The request topics the entries name now: literal topics as they are, each pattern's matches
 * in its namespace, minus every topic that is not a request topic — `skip` (the keys, audit
 * and decisions topics, dead-letter topics) and the reply topic of any other match, so that
 * `.*` never makes the service consume its own decisions. Sorted, without repeats.
 */
export async function resolveTopics(
  entries: readonly TopicEntry[],
  list: ListTopics,
  notRequests: {
    readonly skip: (full: string) => boolean;
    readonly replyOf: (full: string) => string | undefined;
  },
): Promise<string[]> {
  const found = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'topic') {
      found.add(entry.full);
      continue;
    }
    for (const full of await list(entry.persistence, entry.namespace)) {
      const topic = full.replace(PARTITION, '');
      const local = topic.slice(topic.lastIndexOf('/') + 1);
      if (topic.startsWith(`${entry.persistence}://${entry.namespace}/`) && entry.name.test(local))
        found.add(topic);
    }
  }
  const patterned = (full: string) => !entries.some((e) => e.kind === 'topic' && e.full === full);
  const replies = new Set([...found].map(notRequests.replyOf).filter((t) => t !== undefined));
  return [...found].filter((t) => !patterned(t) || (!notRequests.skip(t) && !replies.has(t))).sort();
}
