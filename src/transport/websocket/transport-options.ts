import type { BackoffOptions } from '../../retry.ts';
import type { Clock, Sleep } from '../../time.ts';
import type { TokenSource } from '../transport.ts';

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

/** What every socket of one transport shares (channel.ts), the defaults filled in. */
export function channelOptionsOf(o: WebSocketTransportOptions) {
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
