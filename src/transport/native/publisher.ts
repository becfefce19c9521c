import { GateError } from '../../errors.ts';
import type { OutgoingMessage, Publisher } from '../transport.ts';
import { nativeError } from './errors.ts';
import type { NativeClient, NativeProducer } from './load.ts';

export interface NativePublisherOptions {
  readonly target: string;
  readonly maxPayloadBytes: number;
  /** Batch what is sent within a millisecond (see PublisherOptions.batch). */
  readonly batch: boolean;
  readonly onClose: () => void;
}

/** A native producer behind our Publisher: resolves once the broker has persisted the message. */
export class NativePublisher implements Publisher {
  readonly #producer: NativeProducer;
  readonly #topic: string;
  readonly #options: NativePublisherOptions;

  private constructor(producer: NativeProducer, topic: string, options: NativePublisherOptions) {
    this.#producer = producer;
    this.#topic = topic;
    this.#options = options;
  }

  static async open(client: NativeClient, topic: string, options: NativePublisherOptions) {
    const producer = await client
      .createProducer({
        topic,
        // Sends are pipelined on one connection either way. Batching packs the sends of one
        // millisecond into one entry: a lone message waits at most that millisecond
        // (pulsar-client-cpp ProducerConfiguration::setBatchingMaxPublishDelayMs).
        batchingEnabled: options.batch,
        ...(options.batch ? { batchingMaxPublishDelayMs: 1, batchingMaxMessages: 1000 } : {}),
        maxPendingMessages: 10_000,
        blockIfQueueFull: true,
        sendTimeoutMs: 30_000,
      })
      .catch((error: unknown) => {
        throw nativeError(error, `opening a producer on ${topic}`, options.target, {
          topic,
          action: 'produce',
        });
      });
    return new NativePublisher(producer, topic, options);
  }

  async publish(message: OutgoingMessage): Promise<string> {
    const data = Buffer.from(
      typeof message.payload === 'string' ? Buffer.from(message.payload, 'utf8') : message.payload,
    );
    // The same limit as the WebSocket API's frames, so a message fits either transport.
    if (data.length > this.#options.maxPayloadBytes) {
      throw new GateError(
        'PULSAR_PAYLOAD_TOO_LARGE',
        `a ${data.length}-byte message is too large for ${this.#topic} (limit ${this.#options.maxPayloadBytes} bytes)`,
      );
    }
    const id = await this.#producer
      .send({
        data,
        ...(message.properties ? { properties: { ...message.properties } } : {}),
        ...(message.key === undefined ? {} : { partitionKey: message.key }),
      })
      .catch((error: unknown) => {
        throw nativeError(error, `publishing on ${this.#topic}`, this.#options.target, {
          topic: this.#topic,
          action: 'produce',
        });
      });
    return id.serialize().toString('base64');
  }

  async close(): Promise<void> {
    this.#options.onClose();
    await this.#producer.close().catch(() => {});
  }
}
