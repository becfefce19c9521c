import { consumeLoop } from './consume-loop.ts';
import { requestHandler } from './handle-request.ts';
import { PublisherCache } from './reply-publishers.ts';
import { ReplyRoutes, serviceTopics } from './reply-routes.ts';
import type { RunningService, ServiceOptions } from './service-options.ts';
import { TopicConsumers } from './topic-consumers.ts';

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
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const loop = {
    options,
    inFlight,
    stopping: () => stopping,
    handle: requestHandler(options, replies, () => routes),
  };
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
    consume: (subscription, topic, stopped) => consumeLoop(loop, subscription, topic, stopped),
    drain: async () => {
      await Promise.allSettled([...inFlight]);
    },
  });
  await Promise.all(options.topics.map((topic) => consumers.open(topic)));

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
