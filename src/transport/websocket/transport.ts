import { randomUUID } from 'node:crypto';
import { GateError } from '../../errors.ts';
import { redactedUrl } from '../../lib/redacted-url.ts';
import type { BackoffOptions } from '../../retry.ts';
import type { Clock, Sleep } from '../../time.ts';
import { parseTopic } from '../topic.ts';
import type { TopicEnd } from '../topic-end.ts';
import type {
  Attachment,
  Publisher,
  SubscribeOptions,
  Subscription,
  TokenSource,
  Transport,
} from '../transport.ts';
import { webSocketBase } from './base-url.ts';
import { WebSocketAttachment, WebSocketSubscription } from './consumer.ts';
import { WebSocketPublisher } from './producer.ts';
import { startSubscriptionAtEarliest } from './subscription-start.ts';
import { fetchTopicEnd } from './topic-end-request.ts';

export interface WebSocketTransportOptions {
  /** ws://, wss://, http:// or https:// address of the broker's (or proxy's) web service. */
  readonly url: string;
  readonly token?: TokenSource | undefined;
  readonly connectTimeoutMs?: number;
  /** How long the first connect may take, retries included (default 15 s). */
  readonly connectWindowMs?: number;
  /** How long to keep reconnecting after a drop (default 120 s). */
  readonly reconnectWindowMs?: number;
  readonly sendTimeoutMs?: number;
  /** The broker's webSocketMaxTextFrameSize (default 1 MiB). */
  readonly maxFrameBytes?: number;
  readonly backoff?: BackoffOptions;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

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
    const url = this.#url(`producer/${path}`, {
      sendTimeoutMillis: String(this.#sendTimeout()),
    });
    const publisher = await WebSocketPublisher.open({
      topic: name,
      sendTimeoutMs: this.#sendTimeout(),
      maxFrameBytes: this.#options.maxFrameBytes ?? 1024 * 1024,
      channel: { ...this.#channelOptions(), url },
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
      url: this.#url(`reader/${name.path}`, { messageId: 'earliest', receiverQueueSize: '1000' }),
      channel: this.#channelOptions(),
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
    if (!/^[A-Za-z0-9_.:=-]{1,200}$/.test(subscription)) {
      throw new GateError('CONFIG_INVALID', `invalid subscription name "${subscription}"`);
    }
    const query: Record<string, string> = {
      subscriptionType: options.type ?? 'Shared',
      subscriptionInitialPosition: options.initialPosition ?? 'Latest',
      receiverQueueSize: String(options.receiverQueueSize ?? 100),
    };
    if (options.nackRedeliveryDelayMs !== undefined)
      query.negativeAckRedeliveryDelay = String(options.nackRedeliveryDelayMs);
    if (options.consumerName !== undefined) query.consumerName = options.consumerName;
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
      url: this.#url(path, query),
      channel: this.#channelOptions(),
    });
  }

  #channelOptions() {
    const o = this.#options;
    return {
      token: o.token,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      connectWindowMs: o.connectWindowMs ?? 15_000,
      reconnectWindowMs: o.reconnectWindowMs ?? 120_000,
      backoff: o.backoff ?? { baseMs: 200, capMs: 5_000 },
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.sleep ? { sleep: o.sleep } : {}),
      ...(o.random ? { random: o.random } : {}),
    };
  }

  #sendTimeout(): number {
    return this.#options.sendTimeoutMs ?? 30_000;
  }

  #url(path: string, query: Record<string, string>): URL {
    const url = new URL(`${this.#base.pathname.replace(/\/$/, '')}/ws/v2/${path}`, this.#base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  #track<T extends { close(): Promise<void> }>(item: T): T {
    this.#open.add(item);
    return item;
  }
}
