import { GateError } from '../errors.ts';
import { NativeTransport, type NativeTransportOptions } from './native/transport.ts';
import type { Transport } from './transport.ts';
import { WebSocketTransport } from './websocket/transport.ts';
import type { WebSocketTransportOptions } from './websocket/transport-options.ts';

export type TransportOptions = WebSocketTransportOptions & Pick<NativeTransportOptions, 'load'>;

/**
 * PULSAR_URL picks the transport (docs/architecture.md, "Ports"): the WebSocket API for ws(s)/http(s),
 * the native client for pulsar:// and pulsar+ssl://.
 */
export function openTransport(options: TransportOptions): Transport {
  const scheme = /^([a-z+]+):\/\//i.exec(options.url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'ws':
    case 'wss':
    case 'http':
    case 'https':
      return new WebSocketTransport(options);
    case 'pulsar':
    case 'pulsar+ssl':
      return new NativeTransport({
        url: options.url,
        token: options.token,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.load ? { load: options.load } : {}),
      });
    default:
      throw new GateError(
        'CONFIG_INVALID',
        `PULSAR_URL must start with ws://, wss://, http://, https://, pulsar:// or pulsar+ssl:// (got "${scheme ?? 'no scheme'}")`,
      );
  }
}
