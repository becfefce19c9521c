import { parseTopic } from '../transport/topic.ts';

/** The decisions topic's name when DECISIONS_TOPIC is not set. */
export const DEFAULT_DECISIONS_TOPIC_NAME = 'pulsar-gate-decisions';

/**
 * Where every replica records its decisions (P2; src/service/decision-ledger.ts):
 * DECISIONS_TOPIC, else `pulsar-gate-decisions` in the first request topic's namespace, so
 * replicas configured with the same topics meet on the same one without another setting.
 */
export function decisionsTopicFor(explicit: string | undefined, requestTopics: readonly string[]): string {
  if (explicit !== undefined) return parseTopic(explicit).full;
  const first = parseTopic(requestTopics[0] ?? DEFAULT_DECISIONS_TOPIC_NAME);
  return `persistent://${first.tenant}/${first.namespace}/${DEFAULT_DECISIONS_TOPIC_NAME}`;
}
