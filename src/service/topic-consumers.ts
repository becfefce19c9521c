import type { Subscription } from '../transport/transport.ts';

/** How the service reads one topic: a loop over its subscription until `stopped()` says so. */
export interface TopicConsumerPorts {
  readonly subscribe: (topic: string) => Promise<Subscription>;
  readonly consume: (subscription: Subscription, topic: string, stopped: () => boolean) => Promise<void>;
  /** Resolves once every message in flight (on any topic) is decided, published and acknowledged. */
  readonly drain: () => Promise<void>;
}

interface Consumer {
  readonly subscription: Subscription;
  stopped: boolean;
  loop: Promise<void>;
}

/**
 * The request topics the service consumes, changeable while it runs (TOPICS reloaded on
 * SIGHUP, issue 17 §2). A new topic is subscribed before anything else changes; a removed one
 * stops being read, its messages in flight are finished, then its consumer closes: nothing in
 * flight is dropped, and what was not yet delivered stays on the durable subscription.
 */
export class TopicConsumers {
  readonly #ports: TopicConsumerPorts;
  readonly #consumers = new Map<string, Consumer>();
  #changing: Promise<unknown> = Promise.resolve();

  constructor(ports: TopicConsumerPorts) {
    this.#ports = ports;
  }

  topics(): readonly string[] {
    return [...this.#consumers.keys()].sort();
  }

  async open(topic: string): Promise<void> {
    const subscription = await this.#ports.subscribe(topic);
    const consumer: Consumer = { subscription, stopped: false, loop: Promise.resolve() };
    consumer.loop = this.#ports.consume(subscription, topic, () => consumer.stopped);
    this.#consumers.set(topic, consumer);
  }

  async close(topic: string): Promise<void> {
    const consumer = this.#consumers.get(topic);
    if (consumer === undefined) return;
    consumer.stopped = true;
    await consumer.loop;
    await this.#ports.drain();
    this.#consumers.delete(topic);
    await consumer.subscription.close();
  }

  /**
   * Consumes exactly `next` from now on, one change at a time. `check` runs first (the reply
   * routes of the new set) and `commit` once every new topic is subscribed; if either or a
   * subscription fails, the set stays as it was and the promise rejects.
   */
  set(
    next: readonly string[],
    check: () => void,
    commit: () => void,
  ): Promise<{ added: string[]; removed: string[] }> {
    const change = this.#changing.then(async () => {
      check();
      const added = next.filter((t) => !this.#consumers.has(t));
      const removed = [...this.#consumers.keys()].filter((t) => !next.includes(t));
      const opened = await Promise.allSettled(added.map((t) => this.open(t)));
      const failure = opened.find((r) => r.status === 'rejected');
      if (failure !== undefined) {
        await Promise.allSettled(added.filter((t) => this.#consumers.has(t)).map((t) => this.close(t)));
        throw failure.reason;
      }
      commit();
      await Promise.all(removed.map((t) => this.close(t)));
      return { added, removed };
    });
    this.#changing = change.catch(() => {});
    return change;
  }

  /** Stops every loop, lets what is in flight finish, and closes every consumer. */
  async stopAll(): Promise<void> {
    for (const consumer of this.#consumers.values()) consumer.stopped = true;
    await Promise.allSettled([...this.#consumers.values()].map((c) => c.loop));
    await this.#ports.drain();
    await Promise.allSettled([...this.#consumers.values()].map((c) => c.subscription.close()));
  }
}
