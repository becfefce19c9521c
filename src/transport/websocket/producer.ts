import { GateError } from '../../errors.ts';
import type { OutgoingMessage, Publisher } from '../transport.ts';
import { Channel, type ChannelOptions } from './channel.ts';
import { checkFrameSize, parseSendResult, sendFrame } from './frames.ts';

interface Pending {
  readonly frame: string;
  readonly resolve: (messageId: string) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

export interface ProducerOptions {
  readonly topic: string;
  readonly sendTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly channel: Omit<ChannelOptions, 'onText' | 'onOpen' | 'onDrop' | 'onFailure' | 'purpose' | 'access'>;
}

/**
 * A producer over the WebSocket API. Each send carries a `context` that the broker echoes
 * in its receipt. Sends not yet acknowledged when the socket drops are sent again after
 * the reconnect (at-least-once: consumers deduplicate by request id).
 */
export class WebSocketPublisher implements Publisher {
  readonly #pending = new Map<string, Pending>();
  readonly #options: ProducerOptions;
  #channel: Channel | undefined;
  #failure: GateError | undefined;
  #next = 0;

  private constructor(options: ProducerOptions) {
    this.#options = options;
  }

  static async open(options: ProducerOptions): Promise<WebSocketPublisher> {
    const publisher = new WebSocketPublisher(options);
    publisher.#channel = await Channel.open({
      ...options.channel,
      purpose: `producer on ${options.topic}`,
      access: { topic: options.topic, action: 'produce' },
      onText: (text) => publisher.#onReceipt(text),
      onOpen: () => publisher.#resend(),
      onDrop: (code) => publisher.#onDrop(code),
      onFailure: (error) => publisher.#failAll(error),
    });
    return publisher;
  }

  publish(message: OutgoingMessage): Promise<string> {
    if (this.#failure) return Promise.reject(this.#failure);
    const context = String(++this.#next);
    const frame = sendFrame(context, message.payload, message.properties, message.key);
    try {
      checkFrameSize(frame, this.#options.maxFrameBytes, this.#options.topic);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(context);
        reject(
          new GateError(
            'PULSAR_TIMEOUT',
            `Pulsar did not confirm a message on ${this.#options.topic} within ${this.#options.sendTimeoutMs} ms`,
          ),
        );
      }, this.#options.sendTimeoutMs);
      this.#pending.set(context, { frame, resolve, reject, timer });
      this.#channel?.send(frame);
    });
  }

  async close(): Promise<void> {
    await this.#channel?.close();
    this.#failAll(new GateError('PULSAR_CLOSED', `producer on ${this.#options.topic} was closed`));
  }

  #onReceipt(text: string): void {
    const result = parseSendResult(text);
    const pending = result && this.#pending.get(result.context);
    if (result === undefined || pending === undefined) return;
    this.#pending.delete(result.context);
    clearTimeout(pending.timer);
    if (result.ok && result.messageId) pending.resolve(result.messageId);
    else pending.reject(sendError(this.#options.topic, result.error ?? 'unknown error'));
  }

  #resend(): void {
    for (const pending of this.#pending.values()) this.#channel?.send(pending.frame);
  }

  /** Close code 1009 (RFC 6455 §7.4.1): the broker found a frame too big; resending cannot help. */
  #onDrop(code: number): void {
    if (code !== 1009) return;
    this.#failAll(
      new GateError(
        'PULSAR_PAYLOAD_TOO_LARGE',
        `Pulsar closed the producer on ${this.#options.topic}: message too big`,
      ),
      false,
    );
  }

  #failAll(error: GateError, terminal = true): void {
    if (terminal) this.#failure ??= error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}

function sendError(topic: string, detail: string): GateError {
  if (/too ?large|too big|MessageTooBig|exceeds/i.test(detail)) {
    return new GateError(
      'PULSAR_PAYLOAD_TOO_LARGE',
      `Pulsar refused a message on ${topic} as too large (${detail})`,
    );
  }
  if (/auth/i.test(detail))
    return new GateError('PULSAR_NOT_PERMITTED', `Pulsar refused to publish on ${topic} (${detail})`, {
      details: { topic, action: 'produce' },
    });
  return new GateError('PULSAR_PROTOCOL', `Pulsar could not publish on ${topic} (${detail})`);
}
