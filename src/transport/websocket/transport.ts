import { randomUUID } from 'node:crypto';
import { redactedUrl } from '../../lib/redacted-url.ts';
import { parseTopic } from '../topic.ts';
import type { TopicEnd } from '../topic-end.ts';
import type { Attachment, Publisher, SubscribeOptions, Subscription, Transport } from '../transport.ts';
import { apiUrl, consumerQuery } from './api-url.ts';
import { webSocketBase } from './base-url.ts';
import { WebSocketAttachment, WebSocketSubscription } from './consumer.ts';
import { WebSocketPublisher } from './producer.ts';
import { startSubscriptionAtEarliest } from './subscription-start.ts';
import { fetchTopicEnd } from './topic-end-request.ts';
import { channelOptionsOf, type WebSocketTransportOptions } from './transport-options.ts';

/** Pulsar's WebSocket API, v2 paths (`/ws/v2/{producer|consumer}/persistent/…`). */
export class WebSocketTransport implements Transport {
  readonly target: string;
  readonly #base: URL;
  readonly #options: WebSocketTransportOptions;
  readonly #open = new Set<{ close(): Promise<void> }>();

  constructor(options: WebSocketTransportOptions) {
    this.#options = options;
    this.#base = webSocketBase(options.url);
    this.target = redactedUrl(this.#base);
  }

  async publisher(topic: string): Promise<Publisher> {
    const { full: name, path } = parseTopic(topic);
    const url = apiUrl(this.#base, `producer/${path}`, {
      sendTimeoutMillis: String(this.#sendTimeout()),
    });
    const publisher = await WebSocketPublisher.open({
      topic: name,
      sendTimeoutMs: this.#sendTimeout(),
      maxFrameBytes: this.#options.maxFrameBytes ?? 1024 * 1024,
      channel: { ...channelOptionsOf(this.#options), url },
    });
    return this.#track(publisher);
  }

  async attach(topic: string): Promise<Attachment> {
    const subscription = await this.#consumer(topic, `pulsar-gate-${randomUUID()}`, {
      type: 'Exclusive',
      initialPosition: 'Latest',
    });
    return this.#track(new WebSocketAttachment(subscription));
  }

  async subscribe(
    topic: string,
    subscription: string,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return this.#track(await this.#consumer(topic, subscription, { type: 'Shared', ...options }));
  }

  async read(topic: string): Promise<Attachment> {
    const name = parseTopic(topic);
    const reader = await WebSocketSubscription.open({
      topic: name.full,
      subscription: 'reader',
      url: apiUrl(this.#base, `reader/${name.path}`, { messageId: 'earliest', receiverQueueSize: '1000' }),
      channel: channelOptionsOf(this.#options),
    });
    return this.#track(new WebSocketAttachment(reader, { unsubscribe: false }));
  }

  endOf(topic: string): Promise<TopicEnd> {
    const o = this.#options;
    return fetchTopicEnd(this.#base, parseTopic(topic).path, o.token, o.connectTimeoutMs ?? 10_000);
  }

  async close(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.allSettled(open.map((item) => item.close()));
  }

  async #consumer(
    topic: string,
    subscription: string,
    options: SubscribeOptions,
  ): Promise<WebSocketSubscription> {
    const query = consumerQuery(subscription, options);
    const name = parseTopic(topic);
    if (options.initialPosition === 'Earliest') {
      const o = this.#options;
      await startSubscriptionAtEarliest(
        this.#base,
        name.path,
        subscription,
        o.token,
        o.connectTimeoutMs ?? 10_000,
      );
    }
    const path = `consumer/${name.path}/${subscription}`;
    return WebSocketSubscription.open({
      topic: name.full,
      subscription,
      url: apiUrl(this.#base, path, query),
      channel: channelOptionsOf(this.#options),
    });
  }

  #sendTimeout(): number {
    return this.#options.sendTimeoutMs ?? 30_000;
  }

  #track<T extends { close(): Promise<void> }>(item: T): T {
    this.#open.add(item);
    return item;
  }
}
