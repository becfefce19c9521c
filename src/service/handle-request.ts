import { isGateError } from '../errors.ts';
import { sha256Base64url } from '../lib/sha256.ts';
import type { IncomingMessage, Subscription } from '../transport/transport.ts';
import { deadLetter } from './dead-letter.ts';
import { decideRequest } from './decide-request.ts';
import { decisionLogEntry } from './decision-log.ts';
import { SingleFlight } from './key-lock.ts';
import type { Outcome } from './outcome.ts';
import type { PublisherCache } from './reply-publishers.ts';
import type { ReplyRoutes } from './reply-routes.ts';
import type { ServiceOptions } from './service-options.ts';

export type HandleRequest = (
  message: IncomingMessage,
  subscription: Subscription,
  topic: string,
) => Promise<void>;

/**
 * One request message, start to end: its reply route, its decision (shared by copies in
 * flight at once), the reply published, approvers told of a `pending`, then the ack. A
 * message is acknowledged only after its decision is recorded and published; a transient
 * failure is negatively acknowledged and redelivered.
 */
export function requestHandler(
  options: ServiceOptions,
  replies: PublisherCache,
  /** The reply routes in force now: TOPICS reloaded on SIGHUP replaces them. */
  routes: () => ReplyRoutes,
): HandleRequest {
  const flights = new SingleFlight<Outcome>();

  async function handle(message: IncomingMessage, subscription: Subscription, topic: string): Promise<void> {
    const started = performance.now();
    try {
      const reply = await replyRoute(topic);
      if (!reply.ok) {
        await deadLetter(options, replies, message, subscription, topic, reply.reason);
        return;
      }
      // Copies of one request in flight at once share one decision (P2): the same signed bytes.
      const flight = flights.run(sha256Base64url(message.payload), () =>
        decideRequest(message.payload, options.ports, { replyTopic: reply.topic, messageKey: message.key }),
      );
      const decided = await flight.result;
      const outcome =
        flight.shared && decided.kind === 'decided' ? { ...decided, redelivered: true } : decided;
      if (outcome.kind === 'poison') {
        await deadLetter(options, replies, message, subscription, topic, outcome.reason);
        return;
      }
      await replies.publish(reply.topic, outcome.jws, { correlationId: outcome.requestId });
      // Before the ack: a request that could not be opened for approvers is redelivered.
      if (outcome.facts.verdict === 'pending')
        await options.pending?.(outcome.facts, outcome.jws, reply.topic, outcome.replyKey);
      await subscription.ack(message);
      const totalMs = performance.now() - started;
      options.metrics.decided(outcome.facts.verdict, totalMs / 1000);
      if (outcome.facts.verificationFailure)
        options.metrics.verificationFailed(outcome.facts.verificationFailure);
      options.decisionLog(decisionLogEntry(outcome.facts, { redelivered: outcome.redelivered, totalMs }));
    } catch (error) {
      options.metrics.processingError();
      options.log(
        'warn',
        `request ${message.messageId} failed, redelivering: ${error instanceof Error ? error.message : String(error)}`,
      );
      await subscription.nack(message);
    }
  }

  /**
   * The reply topic, checked again for this message (defence in depth), and its producer
   * opened before anything is decided (issue 13 §3): a topic the broker refuses leaves no
   * audit record, decision record or signature behind, only the dead letter.
   */
  async function replyRoute(
    topic: string,
  ): Promise<{ ok: true; topic: string } | { ok: false; reason: string }> {
    const route = routes().replyTopicFor(topic);
    if (!route.ok) return route;
    try {
      await replies.open(route.topic);
      return route;
    } catch (error) {
      if (!isGateError(error, 'PULSAR_NOT_PERMITTED') && !isGateError(error, 'PULSAR_TOPIC_NOT_FOUND'))
        throw error;
      return { ok: false, reason: `the broker refused the reply topic ${route.topic}: ${error.message}` };
    }
  }

  return handle;
}
