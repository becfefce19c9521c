import type { Publisher, Transport } from '../transport/transport.ts';

/** Producers by topic, created on first use and kept for the next reply (bounded, LRU). */
export class PublisherCache {
  readonly #transport: Transport;
  readonly #max: number;
  readonly #open = new Map<string, Promise<Publisher>>();

  constructor(transport: Transport, max = 64) {
    this.#transport = transport;
    this.#max = max;
  }

  async publish(
    topic: string,
    payload: string | Uint8Array,
    properties: Record<string, string>,
  ): Promise<string> {
    return (await this.#get(topic)).publish({ payload, properties });
  }

  /** Opens (or keeps) the producer: the broker says now whether it may publish on `topic`. */
  async open(topic: string): Promise<void> {
    await this.#get(topic);
  }

  #get(topic: string): Promise<Publisher> {
    let publisher = this.#open.get(topic);
    if (publisher === undefined) {
      // Replies and dead letters are never read to their end: batched where the transport
      // can, which packs the replies of one millisecond into one entry (PublisherOptions).
      publisher = this.#transport.publisher(topic, { batch: true });
      publisher.catch(() => this.#open.delete(topic));
      this.#open.set(topic, publisher);
      this.#evict();
    } else {
      this.#open.delete(topic);
      this.#open.set(topic, publisher);
    }
    return publisher;
  }

  async close(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }

  #evict(): void {
    while (this.#open.size > this.#max) {
      const [oldest] = this.#open;
      if (!oldest) return;
      this.#open.delete(oldest[0]);
      void oldest[1].then((p) => p.close()).catch(() => {});
    }
  }
}
