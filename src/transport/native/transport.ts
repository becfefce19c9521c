import { randomUUID } from 'node:crypto';
import { GateError } from '../../errors.ts';
import { type Clock, systemClock } from '../../time.ts';
import { parseTopic } from '../topic.ts';
import type { TopicEnd } from '../topic-end.ts';
import type {
  Attachment,
  IncomingMessage,
  Publisher,
  PublisherOptions,
  SubscribeOptions,
  Subscription,
  TokenSource,
  Transport,
} from '../transport.ts';
import { untilDeadline } from '../until-deadline.ts';
import { refusedCredentialGuard } from './credential-check.ts';
import { loadNative, type NativeClient, type NativeModule } from './load.ts';
import { NativePublisher } from './publisher.ts';
import { openNativeReader } from './reader.ts';
import { NativeSubscription, subscribeNative } from './subscription.ts';
import { NativeTopicEnds } from './topic-ends.ts';

export interface NativeTransportOptions {
  readonly url: string;
  readonly token?: TokenSource | undefined;
  readonly clock?: Clock;
  readonly load?: (id: string) => unknown;
  /** Largest payload accepted, as the WebSocket transport's frame limit (default 1 MiB). */
  readonly maxPayloadBytes?: number;
}

/** pulsar:// and pulsar+ssl:// through the native client, behind the same interface. */
export class NativeTransport implements Transport {
  readonly target: string;
  readonly #native: NativeModule;
  readonly #client: NativeClient;
  readonly #clock: Clock;
  readonly #options: NativeTransportOptions;
  readonly #ends: NativeTopicEnds;
  readonly #open = new Set<{ close(): Promise<unknown> }>();
  readonly #guard: <T>(operation: Promise<T>) => Promise<T>;

  constructor(options: NativeTransportOptions) {
    this.#native = loadNative(options.load);
    this.#options = options;
    const url = new URL(options.url);
    this.target = `${url.protocol}//${url.host}`;
    this.#clock = options.clock ?? systemClock;
    const token = options.token;
    this.#client = this.#newClient(
      token === undefined || typeof token === 'string'
        ? token
        : // Called on the client's I/O thread, which waits for the answer: never reject.
          async () => (await Promise.resolve(token()).catch(() => undefined)) ?? '',
      30,
    );
    this.#guard = refusedCredentialGuard(new URL(options.url), token, this.target);
    this.#ends = new NativeTopicEnds({
      openClient: async () =>
        this.#newClient(typeof token === 'function' ? ((await token()) ?? '') : token, 10),
      earliest: () => this.#native.MessageId.earliest(),
      target: this.target,
    });
  }

  async publisher(topic: string, options: PublisherOptions = {}): Promise<Publisher> {
    const name = parseTopic(topic).full;
    const publisher = await this.#guard(
      NativePublisher.open(this.#client, name, {
        target: this.target,
        maxPayloadBytes: this.#options.maxPayloadBytes ?? 1024 * 1024,
        batch: options.batch ?? false,
        onClose: () => this.#open.delete(publisher),
      }),
    );
    this.#open.add(publisher);
    return publisher;
  }

  async attach(topic: string): Promise<Attachment> {
    const consumer = await this.#subscribe(topic, `pulsar-gate-${randomUUID()}`, { type: 'Exclusive' });
    const receive = async (deadline: number): Promise<IncomingMessage> => {
      const message = await consumer.receive(deadline);
      await consumer.ack(message);
      return message;
    };
    return {
      receive,
      messages: (deadline: number) => untilDeadline(receive, deadline),
      // The subscription exists for this attachment only.
      close: () => consumer.unsubscribe().catch(() => {}),
    };
  }

  subscribe(topic: string, subscription: string, options: SubscribeOptions = {}): Promise<Subscription> {
    if (!/^[A-Za-z0-9_.:=-]{1,200}$/.test(subscription)) {
      return Promise.reject(new GateError('CONFIG_INVALID', `invalid subscription name "${subscription}"`));
    }
    return this.#subscribe(topic, subscription, options);
  }

  async read(topic: string): Promise<Attachment> {
    const name = parseTopic(topic).full;
    const reader = await this.#guard(
      openNativeReader(this.#client, name, {
        earliest: this.#native.MessageId.earliest(),
        target: this.target,
        clock: this.#clock,
        history: (at, onMessage, until) => this.#ends.history(at, onMessage, until),
        onClose: () => this.#open.delete(reader),
      }),
    );
    this.#open.add(reader);
    return reader;
  }

  endOf(topic: string): Promise<TopicEnd> {
    return this.#guard(this.#ends.endOf(parseTopic(topic).full));
  }

  async close(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.allSettled([...open.map((item) => item.close()), this.#ends.close()]);
    await this.#client.close().catch(() => {});
  }

  #newClient(token: string | (() => Promise<string>) | undefined, operationTimeoutSeconds: number) {
    return new this.#native.Client({
      serviceUrl: this.#options.url,
      operationTimeoutSeconds,
      ...(token === undefined ? {} : { authentication: new this.#native.AuthenticationToken({ token }) }),
    });
  }

  async #subscribe(
    topic: string,
    subscription: string,
    options: SubscribeOptions,
  ): Promise<NativeSubscription> {
    const name = parseTopic(topic).full;
    const consumer = await this.#guard(
      subscribeNative(this.#client, name, subscription, options, this.target),
    );
    const wrapped: NativeSubscription = new NativeSubscription(consumer, name, this.target, this.#clock, () =>
      this.#open.delete(wrapped),
    );
    this.#open.add(wrapped);
    return wrapped;
  }
}
