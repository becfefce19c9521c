import type WebSocket from 'ws';
import { GateError, isGateError } from '../../errors.ts';
import { redactedUrl } from '../../lib/redacted-url.ts';
import { type BackoffOptions, retry } from '../../retry.ts';
import { type Clock, sleep as realSleep, type Sleep, systemClock } from '../../time.ts';
import type { TokenSource } from '../transport.ts';
import { type Access, connect, isRetryableConnectError } from './connect.ts';

export interface ChannelOptions {
  readonly url: URL;
  readonly purpose: string;
  /** The topic permission this socket needs, named in a refusal (see connect.ts). */
  readonly access: Access;
  readonly token?: TokenSource | undefined;
  readonly connectTimeoutMs: number;
  /** How long to keep trying to reconnect after a drop before giving up, in ms. */
  readonly reconnectWindowMs: number;
  /** How long the first connect may take, retries included (default: reconnectWindowMs). */
  readonly connectWindowMs?: number | undefined;
  readonly backoff: BackoffOptions;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly onText: (text: string) => void;
  /** After every successful (re)connect, so pending work can be sent again. */
  readonly onOpen?: () => void;
  /** The socket dropped (close code per RFC 6455 §7.4); a reconnect follows. */
  readonly onDrop?: (code: number, reason: string) => void;
  /** The channel will not reconnect any more; every waiter must be told. */
  readonly onFailure: (error: GateError) => void;
}

/**
 * One logical WebSocket that survives drops: when the broker restarts or the socket is cut,
 * it reconnects with full-jitter backoff until `reconnectWindowMs` runs out. Refusals that
 * another attempt cannot fix (auth, permission) end it at once.
 */
export class Channel {
  readonly #options: ChannelOptions;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #socket: WebSocket | undefined;
  #closed = false;

  private constructor(options: ChannelOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  static async open(options: ChannelOptions): Promise<Channel> {
    const channel = new Channel(options);
    channel.#attach(await channel.#connectWithRetry(options.connectWindowMs ?? options.reconnectWindowMs));
    return channel;
  }

  get connected(): boolean {
    return this.#socket !== undefined && this.#socket.readyState === this.#socket.OPEN;
  }

  /** Sends when connected; returns false when the frame must wait for the next open. */
  send(text: string): boolean {
    if (!this.connected || this.#socket === undefined) return false;
    this.#socket.send(text);
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort(new GateError('PULSAR_CLOSED', `${this.#options.purpose} was closed`));
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined || socket.readyState === socket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000);
    });
  }

  #connectWithRetry(windowMs = this.#options.reconnectWindowMs, reconnecting = false): Promise<WebSocket> {
    const { url, purpose, access, token, connectTimeoutMs, backoff, onText } = this.#options;
    // A reconnect with a rotating credential may meet a broker that has just restarted and is
    // slow to verify a token near its end: the next attempt asks the source for a fresh one.
    // A first connect that is refused stays refused (bad credentials), as does a fixed token.
    const authMayRecover = reconnecting && typeof token === 'function';
    return retry(() => connect(url, { token, timeoutMs: connectTimeoutMs, purpose, access, onText }), {
      ...backoff,
      deadline: this.#clock.now() + windowMs,
      isRetryable: (error) =>
        isRetryableConnectError(error) || (authMayRecover && isGateError(error, 'PULSAR_AUTH')),
      clock: this.#clock,
      sleep: this.#options.sleep ?? realSleep,
      signal: this.#stop.signal,
      ...(this.#options.random ? { random: this.#options.random } : {}),
    });
  }

  #attach(socket: WebSocket): void {
    this.#socket = socket;
    socket.on('error', () => {
      // 'close' follows every 'error'; the reconnect decision is made there.
    });
    socket.once('close', (code, reason) => {
      if (this.#closed || this.#socket !== socket) return;
      this.#socket = undefined;
      this.#options.onDrop?.(code, reason.toString());
      void this.#reconnect(code, reason.toString());
    });
    this.#options.onOpen?.();
  }

  async #reconnect(code: number, reason: string): Promise<void> {
    try {
      const socket = await this.#connectWithRetry(this.#options.reconnectWindowMs, true);
      if (this.#closed) {
        socket.terminate();
        return;
      }
      this.#attach(socket);
    } catch (error) {
      if (this.#closed) return;
      const cause = error instanceof GateError ? error : undefined;
      this.#options.onFailure(
        cause ??
          new GateError(
            'PULSAR_UNREACHABLE',
            `lost ${this.#options.purpose} at ${redactedUrl(this.#options.url)} (close ${code} ${reason})`,
            { cause: error },
          ),
      );
    }
  }
}
