import { GateError } from '../../errors.ts';
import { Inbox } from '../inbox.ts';
import { type Position, positionOf } from '../topic-end.ts';
import type { Attachment, IncomingMessage, Subscription } from '../transport.ts';
import { untilDeadline } from '../until-deadline.ts';
import { Channel, type ChannelOptions } from './channel.ts';
import { parseDelivery } from './frames.ts';

export interface ConsumerOptions {
  readonly topic: string;
  readonly subscription: string;
  readonly channel: Omit<
    ChannelOptions,
    'onText' | 'onOpen' | 'onDrop' | 'onFailure' | 'purpose' | 'access' | 'url'
  >;
  /** Builds the consumer URL from the topic, subscription and query parameters. */
  readonly url: URL;
}

/**
 * A durable subscription over the WebSocket API. Because the subscription lives in the
 * broker, a message published while the socket is down is delivered after the reconnect.
 */
export class WebSocketSubscription implements Subscription {
  readonly #inbox = new Inbox<IncomingMessage>();
  readonly #options: ConsumerOptions;
  #channel: Channel | undefined;

  private constructor(options: ConsumerOptions) {
    this.#options = options;
  }

  static async open(options: ConsumerOptions): Promise<WebSocketSubscription> {
    const consumer = new WebSocketSubscription(options);
    consumer.#channel = await Channel.open({
      ...options.channel,
      url: options.url,
      purpose: `subscription ${options.subscription} on ${options.topic}`,
      access: { topic: options.topic, action: 'consume' },
      onText: (text) => consumer.#onText(text),
      onFailure: (error) => consumer.#inbox.fail(error),
    });
    return consumer;
  }

  receive(deadline: number): Promise<IncomingMessage> {
    return this.#inbox.next(deadline, `message on ${this.#options.topic}`);
  }

  async ack(message: IncomingMessage): Promise<void> {
    // If the socket is down the ack is lost and the broker redelivers: at-least-once.
    this.#channel?.send(JSON.stringify({ messageId: message.messageId }));
  }

  async nack(message: IncomingMessage): Promise<void> {
    this.#channel?.send(JSON.stringify({ type: 'negativeAcknowledge', messageId: message.messageId }));
  }

  /** Removes the subscription from the broker (used for per-run attachments). */
  async unsubscribe(): Promise<void> {
    this.#channel?.send(JSON.stringify({ type: 'unsubscribe' }));
  }

  async close(): Promise<void> {
    await this.#channel?.close();
    this.#inbox.fail(new GateError('PULSAR_CLOSED', `subscription on ${this.#options.topic} was closed`));
  }

  #onText(text: string): void {
    const message = parseDelivery(text);
    if (message !== undefined) this.#inbox.push(message);
  }
}

/**
 * "Everything published from now on": a durable Exclusive subscription with a unique name,
 * created at the end of the topic and removed on close. A non-durable cursor would be lost
 * with the socket, and a message published during a reconnect with it.
 *
 * Also a reader's view (`/ws/v2/reader/…`, `unsubscribe: false`): there an ack only returns
 * a flow permit, and a reconnected reader starts again from its first message, so ids
 * already seen are skipped the same way.
 */
export class WebSocketAttachment implements Attachment {
  readonly #subscription: WebSocketSubscription;
  readonly #unsubscribe: boolean;
  readonly #seen = new Set<string>();
  /** A reader's last position: its ids only grow, so one position replaces the set (no growth). */
  #last: Position | undefined;

  constructor(
    subscription: WebSocketSubscription,
    options: { unsubscribe: boolean } = { unsubscribe: true },
  ) {
    this.#subscription = subscription;
    this.#unsubscribe = options.unsubscribe;
  }

  async receive(deadline: number): Promise<IncomingMessage> {
    for (;;) {
      const message = await this.#subscription.receive(deadline);
      await this.#subscription.ack(message);
      // A message delivered just before a drop may come again after the reconnect.
      if (this.#again(message.messageId)) continue;
      return message;
    }
  }

  /**
   * A reader (long-lived: the service tails DECISIONS_TOPIC for months) reads one topic in
   * order, so anything at or before its last position is a repeat; a subscription keeps the
   * ids it saw (it lives as long as one pipe run).
   */
  #again(messageId: string): boolean {
    const at = this.#unsubscribe ? undefined : positionOf(messageId);
    if (at === undefined) {
      if (this.#seen.has(messageId)) return true;
      this.#seen.add(messageId);
      return false;
    }
    const last = this.#last;
    if (
      last &&
      (at.ledgerId < last.ledgerId || (at.ledgerId === last.ledgerId && at.entryId <= last.entryId))
    )
      return true;
    this.#last = at;
    return false;
  }

  messages(deadline: number): AsyncIterable<IncomingMessage> {
    return untilDeadline((d) => this.receive(d), deadline);
  }

  async close(): Promise<void> {
    if (this.#unsubscribe) await this.#subscription.unsubscribe();
    await this.#subscription.close();
  }
}
