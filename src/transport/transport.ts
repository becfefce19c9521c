/**
 * The one interface the rest of pulsar-gate uses to talk to Pulsar. Two implementations:
 * Pulsar's WebSocket API (`websocket/`) and the native client (`native/`).
 */
import type { TopicEnd } from './topic-end.ts';

export type Properties = Readonly<Record<string, string>>;

export interface OutgoingMessage {
  readonly payload: Uint8Array | string;
  readonly properties?: Properties;
  /** Partition / routing key. */
  readonly key?: string;
}

export interface IncomingMessage {
  readonly payload: Buffer;
  readonly properties: Properties;
  /** Opaque, transport-specific id (base64 for the WebSocket API). */
  readonly messageId: string;
  readonly publishTime: Date;
  readonly redeliveryCount: number;
  /** The message key (routing key for Key_Shared), when the producer set one. */
  readonly key?: string;
}

export interface Publisher {
  /** Resolves with the broker-assigned message id once the broker has persisted it. */
  publish(message: OutgoingMessage): Promise<string>;
  close(): Promise<void>;
}

/** Messages published after `attach` resolved; nothing published before it. */
export interface Attachment {
  /** Waits for the next message until `deadline` (epoch ms); rejects with PULSAR_TIMEOUT after it. */
  receive(deadline: number): Promise<IncomingMessage>;
  /** The same as an async iterator that ends quietly at the deadline. */
  messages(deadline: number): AsyncIterable<IncomingMessage>;
  close(): Promise<void>;
}

/** A durable subscription: unacknowledged messages are redelivered, to this or another consumer. */
export interface Subscription {
  receive(deadline: number): Promise<IncomingMessage>;
  ack(message: IncomingMessage): Promise<void>;
  /** Asks the broker to redeliver the message (after the subscription's negative-ack delay). */
  nack(message: IncomingMessage): Promise<void>;
  /** Removes the subscription from the broker, where the transport can (one-off readers). */
  unsubscribe?(): Promise<void>;
  close(): Promise<void>;
}

export type SubscriptionType = 'Exclusive' | 'Shared' | 'Failover' | 'Key_Shared';

export interface SubscribeOptions {
  readonly type?: SubscriptionType;
  readonly initialPosition?: 'Latest' | 'Earliest';
  /** Delay before a negatively acknowledged message is redelivered, in ms. */
  readonly nackRedeliveryDelayMs?: number;
  readonly consumerName?: string;
  /** Messages the broker may push ahead of `receive` calls: size it for the concurrency. */
  readonly receiverQueueSize?: number;
}

export interface PublisherOptions {
  /**
   * Pack messages sent within about a millisecond into one broker entry, where the transport
   * can (the native client; the WebSocket API sends each on its own). Never for a topic that
   * is read to its end (`endOf` compares entries).
   */
  readonly batch?: boolean;
}

export interface Transport {
  /** A description safe to print: the URL without credentials. */
  readonly target: string;
  publisher(topic: string, options?: PublisherOptions): Promise<Publisher>;
  attach(topic: string): Promise<Attachment>;
  subscribe(topic: string, subscription: string, options?: SubscribeOptions): Promise<Subscription>;
  /** Every message on the topic from the earliest one kept (a reader: no subscription, no state). */
  read(topic: string): Promise<Attachment>;
  /** Where the topic ends now (see topic-end.ts). */
  endOf(topic: string): Promise<TopicEnd>;
  close(): Promise<void>;
}

/** A bearer token, or a function that returns the current one (it may rotate). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);
