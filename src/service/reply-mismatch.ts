import type { RequestEvent } from '../events/request.ts';
import { printable } from '../lib/printable.ts';
import { parseTopic } from '../transport/topic.ts';

/**
 * The request's own `replyTopic` is only a check, never an address (docs/formats.md,
 * "Request"): when it names another topic than the one the service answers on, the sentence
 * a signed deny gives, so an honest pipe configured with another REPLY_TOPIC learns why if
 * it listens where the service answers. Nothing is ever published where the request says.
 */
export function replyTopicMismatch(event: RequestEvent, replyTopic: string): string | undefined {
  const asked = event.data.replyTopic;
  let full: string | undefined;
  try {
    full = parseTopic(asked).full;
  } catch {
    full = undefined;
  }
  if (full === replyTopic) return undefined;
  return `the request names the reply topic ${printable(asked, 200)}, but this service answers it only on ${replyTopic}: set REPLY_TOPIC to ${replyTopic}`;
}
