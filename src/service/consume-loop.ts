import { isGateError } from '../errors.ts';
import type { IncomingMessage, Subscription } from '../transport/transport.ts';
import type { HandleRequest } from './handle-request.ts';
import type { ServiceOptions } from './service-options.ts';

/** What the receive loops of one service share. */
export interface ConsumeLoop {
  readonly options: ServiceOptions;
  /** Every message being handled, on any topic: at most `options.concurrency` at once. */
  readonly inFlight: Set<Promise<void>>;
  readonly stopping: () => boolean;
  readonly handle: HandleRequest;
}

/**
 * Receives on one request topic's subscription until the service stops or the topic is
 * dropped (`stopped`), handing each message to `handle` without waiting for it. A receive
 * that times out is simply tried again; one that fails is logged and retried after a second.
 */
export async function consumeLoop(
  loop: ConsumeLoop,
  subscription: Subscription,
  topic: string,
  stopped: () => boolean,
): Promise<void> {
  const { options, inFlight } = loop;
  while (!loop.stopping() && !stopped()) {
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    let message: IncomingMessage;
    try {
      message = await subscription.receive(options.ports.clock.now() + 500);
    } catch (error) {
      if (isGateError(error, 'PULSAR_TIMEOUT')) continue;
      if (loop.stopping() || stopped()) return;
      options.log(
        'error',
        `receiving on ${topic} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    const work = loop.handle(message, subscription, topic).finally(() => inFlight.delete(work));
    inFlight.add(work);
  }
}
