import type { IncomingMessage as HttpResponse } from 'node:http';
import WebSocket from 'ws';
import { GateError, isGateError } from '../../errors.ts';
import type { TokenSource } from '../transport.ts';

export interface ConnectOptions {
  readonly token?: TokenSource | undefined;
  readonly timeoutMs: number;
  /** What the socket is for, for error messages: "producer on persistent://…". */
  readonly purpose: string;
}

/** A URL safe to print: no user info, no query (a `token=` parameter would be a secret). */
export function printable(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Opens one WebSocket to Pulsar's WebSocket API, paused (resume once listening). The token goes in the Authorization header
 * of the upgrade request (never the URL, which proxies log). Handshake refusals map to
 * error codes: Pulsar answers an unauthenticated upgrade with 401, an unauthorised one
 * with 403, and a bad topic or parameter with 4xx (pulsar-websocket AbstractWebSocketHandler).
 */
export async function connect(url: URL, options: ConnectOptions): Promise<WebSocket> {
  const token = typeof options.token === 'function' ? await options.token() : options.token;
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers,
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
    });
    const fail = (error: GateError): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      reject(error);
    };
    socket.once('open', () => {
      socket.removeAllListeners();
      // Frames that came in the same read as the 101 answer (Pulsar pushes a subscription's
      // backlog at once) are emitted on the next tick, before the awaiting code can listen:
      // hold them until the channel attaches its listeners and resumes.
      socket.pause();
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      readBody(response).then((body) => fail(refusal(response.statusCode ?? 0, body, url, options.purpose)));
    });
    socket.once('error', (error) => fail(unreachable(url, options.purpose, error)));
  });
}

function readBody(response: HttpResponse): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 2000) body += chunk;
    });
    response.on('end', () => resolve(body));
    response.on('error', () => resolve(body));
  });
}

function refusal(status: number, body: string, url: URL, purpose: string): GateError {
  const reason = summarise(body);
  const where = `${purpose} at ${printable(url)}`;
  const details = { status: String(status), url: printable(url) };
  if (status === 401) {
    return new GateError('PULSAR_AUTH', `Pulsar refused the credentials for ${where} (HTTP 401${reason})`, {
      details,
    });
  }
  if (status === 403) {
    return new GateError('PULSAR_NOT_PERMITTED', `Pulsar did not permit ${where} (HTTP 403${reason})`, {
      details,
    });
  }
  if (status === 404) {
    return new GateError('PULSAR_TOPIC_NOT_FOUND', `Pulsar has no ${where} (HTTP 404${reason})`, { details });
  }
  if (status >= 500 || status === 409 || status === 429) {
    return new GateError('PULSAR_UNREACHABLE', `Pulsar could not serve ${where} (HTTP ${status}${reason})`, {
      details,
    });
  }
  return new GateError('PULSAR_PROTOCOL', `Pulsar rejected ${where} (HTTP ${status}${reason})`, { details });
}

function unreachable(url: URL, purpose: string, cause: Error): GateError {
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return new GateError(
    'PULSAR_UNREACHABLE',
    `cannot reach Pulsar at ${printable(url)} for ${purpose}: ${code}`,
    {
      cause,
      details: { url: printable(url) },
    },
  );
}

/** Pulsar's error pages are HTML or JSON; keep one short line of text from them. */
function summarise(body: string): string {
  const message = /<title>([^<]*)<\/title>|"message"\s*:\s*"([^"]*)"/i.exec(body);
  const text = (message?.[1] ?? message?.[2] ?? body).replace(/\s+/g, ' ').trim().slice(0, 160);
  return text ? `: ${text}` : '';
}

/** Codes worth another attempt: the broker may come back, a busy consumer may go away. */
export function isRetryableConnectError(error: unknown): boolean {
  return isGateError(error, 'PULSAR_UNREACHABLE');
}
