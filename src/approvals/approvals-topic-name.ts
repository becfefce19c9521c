import { parseTopic } from '../transport/topic.ts';

/**
 * APPROVALS_TOPIC, else the decisions topic's name with `-approvals` appended: replicas that
 * share a decisions topic share their approvals too, without another setting.
 */
export function approvalsTopicFor(explicit: string | undefined, decisionsTopic: string): string {
  return parseTopic(explicit ?? `${decisionsTopic}-approvals`).full;
}
