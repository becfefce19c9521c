import { randomUUID } from 'node:crypto';
import { GateError } from '../../errors.ts';
import { type Clock, systemClock } from '../../time.ts';
import { parseTopic } from '../topic.ts';
import type { TopicEnd } from '../topic-end.ts';
import type {
  Attachment,
  IncomingMessage,
  Publisher,
  SubscribeOptions,
  Subscription,
  TokenSource,
  Transport,
} from '../transport.ts';
import { untilDeadline } from '../until-deadline.ts';
import { loadNative, type NativeClient, type NativeConsumer, type NativeMessage } from './load.ts';

export interface NativeTransportOptions {
  readonly url: string;
  readonly token?: TokenSource | undefined;
  readonly clock?: Clock;
  readonly load?: (id: string) => unknown;
}

/** pulsar:// and pulsar+ssl:// through the native client, behind the same interface. */
export class NativeTransport implements Transport {
  readonly target: string;
  readonly #client: NativeClient;
  readonly #clock: Clock;
  readonly #open = new Set<{ close(): Promise<unknown> }>();

  constructor(options: NativeTransportOptions) {
    const native = loadNative(options.load);
    const url = new URL(options.url);
    this.target = `${url.protocol}//${url.host}`;
    this.#clock = options.clock ?? systemClock;
    const token = options.token;
    const authentication =
      token === undefined
        ? undefined
        : new native.AuthenticationToken({
            token: typeof token === 'string' ? token : async () => (await token()) ?? '',
          });
    this.#client = new native.Client({
      serviceUrl: options.url,
      operationTimeoutSeconds: 30,
      authentication,
    });
  }

  async publisher(topic: string): Promise<Publisher> {
    const producer = await this.#client.createProducer({
      topic: parseTopic(topic).full,
      batchingEnabled: false,
    });
    this.#open.add(producer);
    return {
      publish: async (message) => {
        const data =
          typeof message.payload === 'string' ? Buffer.from(message.payload) : Buffer.from(message.payload);
        const id = await producer.send({
          data,
          ...(message.properties ? { properties: { ...message.properties } } : {}),
          ...(message.key === undefined ? {} : { partitionKey: message.key }),
        });
        return id.toString();
      },
      close: async () => {
        this.#open.delete(producer);
        await producer.close();
      },
    };
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
      close: async () => {
        await consumer.unsubscribe();
      },
    };
  }

  async subscribe(
    topic: string,
    subscription: string,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return this.#subscribe(topic, subscription, options);
  }

  // Topics read to their end (KEYS_TOPIC, DECISIONS_TOPIC) are read over the WebSocket API
  // only: it asks the admin API where a topic ends (topic-end.ts).
  read(topic: string): Promise<Attachment> {
    return Promise.reject(readNeedsWebSocket(topic));
  }

  endOf(topic: string): Promise<TopicEnd> {
    return Promise.reject(readNeedsWebSocket(topic));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((item) => item.close()));
    await this.#client.close();
  }

  async #subscribe(topic: string, subscription: string, options: SubscribeOptions) {
    const consumer: NativeConsumer = await this.#client.subscribe({
      topic: parseTopic(topic).full,
      subscription,
      subscriptionType: options.type === 'Key_Shared' ? 'KeyShared' : (options.type ?? 'Shared'),
      subscriptionInitialPosition: options.initialPosition ?? 'Latest',
      nAckRedeliverTimeoutMs: options.nackRedeliveryDelayMs ?? 60_000,
    });
    const byId = new Map<string, NativeMessage>();
    const wrapper = {
      receive: async (deadline: number): Promise<IncomingMessage> => {
        const wait = Math.max(1, deadline - this.#clock.now());
        const message = await consumer.receive(wait).catch((cause: unknown) => {
          throw new GateError('PULSAR_TIMEOUT', `no message on ${topic} before the deadline`, { cause });
        });
        const incoming = toIncoming(message);
        byId.set(incoming.messageId, message);
        return incoming;
      },
      ack: async (message: IncomingMessage) => {
        const native = byId.get(message.messageId);
        byId.delete(message.messageId);
        if (native) await consumer.acknowledge(native);
      },
      nack: async (message: IncomingMessage) => {
        const native = byId.get(message.messageId);
        byId.delete(message.messageId);
        if (native) consumer.negativeAcknowledge(native);
      },
      unsubscribe: async () => {
        await consumer.unsubscribe();
      },
      close: async () => {
        this.#open.delete(wrapper);
        await consumer.close();
      },
    };
    this.#open.add(wrapper);
    return wrapper;
  }
}

function toIncoming(message: NativeMessage): IncomingMessage {
  const key = message.getPartitionKey();
  return Object.freeze({
    payload: message.getData(),
    properties: Object.freeze({ ...message.getProperties() }),
    messageId: message.getMessageId().serialize().toString('base64'),
    publishTime: new Date(message.getPublishTimestamp()),
    redeliveryCount: message.getRedeliveryCount(),
    ...(key ? { key } : {}),
  });
}

function readNeedsWebSocket(topic: string): GateError {
  return new GateError(
    'CONFIG_INVALID',
    `${topic} (KEYS_TOPIC, DECISIONS_TOPIC) is read over the WebSocket API: use a ws://, wss://, http:// or https:// PULSAR_URL`,
  );
}
