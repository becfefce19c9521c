import { isGateError } from '../errors.ts';
import { parseTopic } from '../transport/topic.ts';
import type { IncomingMessage, Subscription, Transport } from '../transport/transport.ts';
import { decideRequest } from './decide-request.ts';
import { type DecisionLogEntry, decisionLogEntry } from './decision-log.ts';
import type { Metrics } from './metrics.ts';
import type { DeciderPorts } from './ports.ts';
import { PublisherCache } from './reply-publishers.ts';

export interface ServiceOptions {
  readonly transport: Transport;
  readonly topics: readonly string[];
  readonly subscription: string;
  readonly deadLetterTopic: (topic: string) => string;
  readonly ports: DeciderPorts;
  readonly metrics: Metrics;
  /** Messages decided at once per subscription. */
  readonly concurrency: number;
  readonly decisionLog: (entry: DecisionLogEntry) => void;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface RunningService {
  readonly ready: () => boolean;
  /** Graceful stop: no new messages, in-flight ones finished and acknowledged, then close. */
  stop(): Promise<void>;
}

/**
 * Consumes the request topics with a durable Shared subscription (replicas split the
 * load). A message is acknowledged only after its decision is published; a transient
 * failure is negatively acknowledged and redelivered, and the replay guard then hands out
 * the decision already made, so at-least-once delivery never yields two decisions.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const replies = new PublisherCache(options.transport);
  const subscriptions = await Promise.all(
    options.topics.map((topic) =>
      options.transport.subscribe(topic, options.subscription, {
        type: 'Shared',
        initialPosition: 'Earliest',
        nackRedeliveryDelayMs: 1_000,
      }),
    ),
  );
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const loops = subscriptions.map((subscription, i) => consume(subscription, options.topics[i] ?? ''));

  async function consume(subscription: Subscription, topic: string): Promise<void> {
    while (!stopping) {
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      let message: IncomingMessage;
      try {
        message = await subscription.receive(options.ports.clock.now() + 500);
      } catch (error) {
        if (isGateError(error, 'PULSAR_TIMEOUT')) continue;
        if (stopping) return;
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
      const outcome = await decideRequest(message.payload, options.ports);
      if (outcome.kind === 'decided' && !sameNamespace(topic, outcome.replyTopic)) {
        await deadLetter(
          message,
          subscription,
          topic,
          `reply topic ${outcome.replyTopic} is outside the request topic's namespace`,
        );
        return;
      }
      if (outcome.kind === 'poison') {
        await deadLetter(message, subscription, topic, outcome.reason);
        return;
      }
      await replies.publish(outcome.replyTopic, outcome.jws, { correlationId: outcome.requestId });
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
    stop: async () => {
      stopping = true;
      await Promise.allSettled(loops);
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled(subscriptions.map((s) => s.close()));
      await replies.close();
    },
  };
}

function sameNamespace(requestTopic: string, replyTopic: string): boolean {
  try {
    const a = parseTopic(requestTopic);
    const b = parseTopic(replyTopic);
    return a.tenant === b.tenant && a.namespace === b.namespace;
  } catch {
    return false;
  }
}
