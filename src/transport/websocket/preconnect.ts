import type { ClientRequestArgs } from 'node:http';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

interface Held {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly socket: Socket;
}

let held: Held | undefined;

function endpoint(url: URL): { host: string; port: number; secure: boolean } | undefined {
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  if (!secure && url.protocol !== 'ws:' && url.protocol !== 'http:') return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: Number(url.port || (secure ? 443 : 80)), secure };
}

/**
 * Opens the TCP connection to the broker as the very first thing the pipe does, so the
 * handshake (and, over the internet, its round trips) overlaps with loading the rest of the
 * program — what a browser's preconnect does. Only the first WebSocket takes it; a socket that
 * failed is dropped and that WebSocket connects as usual, reporting the failure itself.
 */
export function preconnect(url: string | undefined): void {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '');
  } catch {
    return; // the configuration check reports a bad PULSAR_URL
  }
  const target = endpoint(parsed);
  if (target === undefined) return;
  const socket = tcpConnect({ host: target.host, port: target.port });
  socket.unref(); // never what keeps the process alive
  socket.on('error', () => {});
  held = { ...target, socket };
}

/** ws's `createConnection` for the held socket if it leads to `url`'s endpoint, once. */
export function takePreconnected(url: URL): ((options: ClientRequestArgs) => Duplex) | undefined {
  const target = endpoint(url);
  const taken = held;
  if (taken === undefined || target === undefined) return undefined;
  held = undefined;
  const same = taken.host === target.host && taken.port === target.port && taken.secure === target.secure;
  if (!same || taken.socket.destroyed) {
    taken.socket.destroy();
    return undefined;
  }
  taken.socket.ref();
  if (!taken.secure) return () => taken.socket;
  // TLS on the open TCP socket, with SNI as ws itself would set it (never for an IP address).
  return (options) => {
    const host = options.host ?? taken.host;
    return tlsConnect({ socket: taken.socket, ...(isIP(host) ? {} : { servername: host }) });
  };
}
