import { parseTopic } from '../transport/topic.ts';
import type { IncomingMessage, Subscription } from '../transport/transport.ts';
import type { PublisherCache } from './reply-publishers.ts';
import type { ServiceOptions } from './service-options.ts';

/** What a dead letter needs of the service: its dead-letter topics, metrics and log. */
export type DeadLetterOptions = Pick<ServiceOptions, 'deadLetterTopic' | 'metrics' | 'log'>;

/**
 * Moves a message that gets no answer (poison, or no reply topic for it) to the request
 * topic's dead-letter topic, with why and where it came from, then acknowledges it: nothing
 * is signed or recorded for it, and it is not redelivered.
 */
export async function deadLetter(
  options: DeadLetterOptions,
  replies: PublisherCache,
  message: IncomingMessage,
  subscription: Subscription,
  topic: string,
  reason: string,
): Promise<void> {
  const dlq = options.deadLetterTopic(topic);
  await replies.publish(dlq, message.payload, {
    ...message.properties,
    deadLetterReason: reason.slice(0, 500),
    originalTopic: parseTopic(topic).full,
    originalMessageId: message.messageId,
  });
  await subscription.ack(message);
  options.metrics.deadLettered();
  options.log('warn', `dead-lettered a message from ${topic} to ${dlq}: ${reason.slice(0, 200)}`);
}
