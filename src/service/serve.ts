import type { DecisionFacts } from '../decision/decision-facts.ts';
import { isGateError } from '../errors.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';
import { sha256Base64url } from '../lib/sha256.ts';
import { parseTopic } from '../transport/topic.ts';
import type { IncomingMessage, Subscription, Transport } from '../transport/transport.ts';
import { decideRequest } from './decide-request.ts';
import { type DecisionLogEntry, decisionLogEntry } from './decision-log.ts';
import { SingleFlight } from './key-lock.ts';
import type { Metrics } from './metrics.ts';
import type { Outcome } from './outcome.ts';
import type { DeciderPorts } from './ports.ts';
import { PublisherCache } from './reply-publishers.ts';
import { ReplyRoutes, type ReservedTopic, serviceTopics } from './reply-routes.ts';
import type { ReplyTemplate } from './reply-template.ts';
import { TopicConsumers } from './topic-consumers.ts';

export interface ServiceOptions {
  readonly transport: Transport;
  readonly topics: readonly string[];
  readonly subscription: string;
  readonly deadLetterTopic: (topic: string) => string;
  /** How the reply topic is derived from a request topic (REPLY_TOPIC_TEMPLATE). */
  readonly replyTemplate: ReplyTemplate;
  /** KEYS_TOPIC, AUDIT_TOPIC: never a reply topic (the request and dead-letter topics neither). */
  readonly reservedTopics: readonly ReservedTopic[];
  readonly ports: DeciderPorts;
  readonly metrics: Metrics;
  /** Messages decided at once per subscription. */
  readonly concurrency: number;
  readonly decisionLog: (entry: DecisionLogEntry) => void;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** A `pending` decision was published: open the request for approvers (src/approvals/desk.ts). */
  readonly pending?: (
    facts: DecisionFacts,
    jws: string,
    replyTopic: string,
    replyKey: ReplyEncryptionKey | undefined,
  ) => Promise<void>;
}

export interface RunningService {
  readonly ready: () => boolean;
  /** The request topics consumed now. */
  readonly topics: () => readonly string[];
  /**
   * Consumes exactly `next` from now on (TOPICS reloaded on SIGHUP; topic-consumers.ts):
   * nothing in flight is dropped. Reply topics that conflict (CONFIG_INVALID) or a topic the
   * broker refuses change nothing and reject.
   */
  setTopics(next: readonly string[]): Promise<{ added: string[]; removed: string[] }>;
  /** Graceful stop: no new messages, in-flight ones finished and acknowledged, then close. */
  stop(): Promise<void>;
}

/**
 * Consumes the request topics with a durable Key_Shared subscription (replicas split the
 * load by step). A message is acknowledged only after its decision is recorded on the
 * decisions topic and published; a transient failure is negatively acknowledged and
 * redelivered, and the decisions topic then hands out the decision already made, so
 * at-least-once delivery never yields two decisions, on this replica or another.
 * Decisions go only to the reply topic derived from the request topic; a template that maps
 * a request topic onto a reserved one stops the start (CONFIG_INVALID).
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const routesFor = (topics: readonly string[]) =>
    ReplyRoutes.checked(options.replyTemplate, topics, [
      ...options.reservedTopics,
      ...serviceTopics(topics, options.deadLetterTopic),
    ]);
  let routes = routesFor(options.topics);
  const replies = new PublisherCache(options.transport);
  const flights = new SingleFlight<Outcome>();
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const consumers = new TopicConsumers({
    subscribe: (topic) =>
      options.transport.subscribe(topic, options.subscription, {
        // By message key (the pipe's step uuid), so a step's requests meet one replica at a
        // time, in order; when a key moves, the broker holds its new messages until the old
        // consumer's are acknowledged or redelivered (P2; docs/architecture.md).
        type: 'Key_Shared',
        initialPosition: 'Earliest',
        nackRedeliveryDelayMs: 1_000,
        // Enough queued for every decision in flight and the next round, no more: what a
        // replica holds unread is not offered to another.
        receiverQueueSize: Math.max(10, options.concurrency * 2),
      }),
    consume,
    drain: async () => {
      await Promise.allSettled([...inFlight]);
    },
  });
  await Promise.all(options.topics.map((topic) => consumers.open(topic)));

  async function consume(subscription: Subscription, topic: string, stopped: () => boolean): Promise<void> {
    while (!stopping && !stopped()) {
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      let message: IncomingMessage;
      try {
        message = await subscription.receive(options.ports.clock.now() + 500);
      } catch (error) {
        if (isGateError(error, 'PULSAR_TIMEOUT')) continue;
        if (stopping || stopped()) return;
        options.log(
          'error',
          `receiving on ${topic} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      const work = handle(message, subscription, topic).finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
  }

  async function handle(message: IncomingMessage, subscription: Subscription, topic: string): Promise<void> {
    const started = performance.now();
    try {
      const reply = await replyRoute(topic);
      if (!reply.ok) {
        await deadLetter(message, subscription, topic, reply.reason);
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
        await deadLetter(message, subscription, topic, outcome.reason);
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
    const route = routes.replyTopicFor(topic);
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

  async function deadLetter(
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

  return {
    ready: () => !stopping,
    topics: () => consumers.topics(),
    setTopics: (next) => {
      let nextRoutes = routes;
      return consumers.set(
        next,
        () => {
          nextRoutes = routesFor(next);
        },
        () => {
          routes = nextRoutes;
        },
      );
    },
    stop: async () => {
      stopping = true;
      await consumers.stopAll();
      await replies.close();
    },
  };
}
