import type { TokenSource } from '../transport.ts';
import { adminRest } from './admin-rest.ts';

/**
 * Creates `subscription` on `topicPath` at the topic's earliest message, through the admin
 * REST API (`PUT …/subscription/{name}`, allowed to any role with consume on the topic), so
 * the consumer opened next starts there. The WebSocket consumer's own
 * `subscriptionInitialPosition` only arrived in Pulsar 4.0 (apache/pulsar#23013): 3.0.x
 * ignores it and starts a new subscription at the latest message, skipping what is already
 * there. An existing subscription (409) keeps its position. Any other answer is left to the
 * consumer's own open, which reports refusals with their codes.
 */
export async function startSubscriptionAtEarliest(
  base: URL,
  topicPath: string,
  subscription: string,
  token: TokenSource | undefined,
  timeoutMs: number,
): Promise<void> {
  try {
    const { response } = await adminRest(
      base,
      `${topicPath}/subscription/${encodeURIComponent(subscription)}`,
      token,
      {
        method: 'PUT',
        // MessageId.earliest; the same body serves both MessageIdImpl and ResetCursorData.
        body: { ledgerId: -1, entryId: -1 },
        timeoutMs,
      },
    );
    await response.body?.cancel();
  } catch {
    // Unreachable: the consumer's open says so, with its own retries and message.
  }
}
