import { GateError } from '../../errors.ts';
import type { Clock } from '../../time.ts';
import { Inbox } from '../inbox.ts';
import type { IncomingMessage, SubscribeOptions, Subscription } from '../transport.ts';
import { nativeError } from './errors.ts';
import type { NativeClient, NativeConsumer, NativeMessage } from './load.ts';

/** A native consumer with our subscription options (pulsar-client-node ConsumerConfig). */
export function subscribeNative(
  client: NativeClient,
  topic: string,
  subscription: string,
  options: SubscribeOptions,
  target: string,
): Promise<NativeConsumer> {
  return client
    .subscribe({
      topic,
      subscription,
      subscriptionType: options.type === 'Key_Shared' ? 'KeyShared' : (options.type ?? 'Shared'),
      subscriptionInitialPosition: options.initialPosition ?? 'Latest',
      nAckRedeliverTimeoutMs: options.nackRedeliveryDelayMs ?? 60_000,
      // What the broker may push ahead of receive() calls (the client's default is 1,000).
      receiverQueueSize: options.receiverQueueSize ?? 100,
      ...(options.consumerName === undefined ? {} : { consumerName: options.consumerName }),
    })
    .catch((error: unknown) => {
      throw nativeError(error, `subscribing to ${topic}`, target, { topic, action: 'consume' });
    });
}

/**
 * A native consumer behind our Subscription. Messages are pulled with the addon's
 * asynchronous `receive()` — never `receive(timeout)`, which parks a libuv pool thread for
 * the whole wait (pulsar-client-node src/Consumer.cc, ConsumerReceiveWorker) and would starve
 * file and crypto work with a few idle consumers. The deadline is kept here: a pull still
 * outstanding at a caller's deadline hands its message to the next caller. At most one pull
 * per waiting caller, so the broker's flow control (the receiver queue) still decides how many
 * messages this consumer holds.
 */
export class NativeSubscription implements Subscription {
  readonly #consumer: NativeConsumer;
  readonly #topic: string;
  readonly #target: string;
  readonly #inbox: Inbox<NativeMessage>;
  readonly #byId = new Map<string, NativeMessage>();
  readonly #onClose: () => void;
  #outstanding = 0;
  #closed = false;

  constructor(consumer: NativeConsumer, topic: string, target: string, clock: Clock, onClose: () => void) {
    this.#consumer = consumer;
    this.#topic = topic;
    this.#target = target;
    this.#inbox = new Inbox(clock);
    this.#onClose = onClose;
  }

  async receive(deadline: number): Promise<IncomingMessage> {
    if (this.#inbox.size === 0 && this.#outstanding <= this.#inbox.waiting) this.#pull();
    const message = await this.#inbox.next(deadline, `message on ${this.#topic}`);
    const incoming = toIncoming(message);
    this.#byId.set(incoming.messageId, message);
    return incoming;
  }

  async ack(message: IncomingMessage): Promise<void> {
    const native = this.#take(message);
    if (native === undefined) return;
    // Acknowledgements are grouped by the client (ackGroupingTimeMs, 100 ms by default in
    // pulsar-client-cpp ConsumerConfiguration) and sent in one command.
    await this.#consumer.acknowledge(native).catch((error: unknown) => {
      throw nativeError(error, `acknowledging on ${this.#topic}`, this.#target);
    });
  }

  async nack(message: IncomingMessage): Promise<void> {
    const native = this.#take(message);
    if (native !== undefined) this.#consumer.negativeAcknowledge(native);
  }

  async unsubscribe(): Promise<void> {
    if (this.#closed) return;
    this.#end();
    await this.#consumer.unsubscribe().catch(async (error: unknown) => {
      await this.#consumer.close().catch(() => {});
      throw nativeError(error, `unsubscribing from ${this.#topic}`, this.#target);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#end();
    await this.#consumer.close().catch(() => {});
  }

  #end(): void {
    this.#closed = true;
    this.#onClose();
    this.#inbox.fail(new GateError('PULSAR_CLOSED', `the consumer of ${this.#topic} was closed`));
  }

  #take(message: IncomingMessage): NativeMessage | undefined {
    const native = this.#byId.get(message.messageId);
    this.#byId.delete(message.messageId);
    return native;
  }

  #pull(): void {
    this.#outstanding++;
    this.#consumer.receive().then(
      (message) => {
        this.#outstanding--;
        this.#inbox.push(message);
      },
      (error: unknown) => {
        this.#outstanding--;
        // The addon's asynchronous receive fails only once the consumer is closing or closed.
        this.#inbox.fail(
          this.#closed
            ? new GateError('PULSAR_CLOSED', `the consumer of ${this.#topic} was closed`)
            : nativeError(error, `receiving on ${this.#topic}`, this.#target),
        );
      },
    );
  }
}

export function toIncoming(message: NativeMessage): IncomingMessage {
  const key = message.getPartitionKey();
  return Object.freeze({
    payload: message.getData(),
    properties: Object.freeze({ ...message.getProperties() }),
    // The serialized MessageIdData (PulsarApi.proto), as the WebSocket API's ids are: the
    // topic-end comparison (topic-end.ts) reads ledger and entry from either.
    messageId: message.getMessageId().serialize().toString('base64'),
    publishTime: new Date(message.getPublishTimestamp()),
    redeliveryCount: message.getRedeliveryCount(),
    ...(key ? { key } : {}),
  });
}
