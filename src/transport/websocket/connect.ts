import type { IncomingMessage as HttpResponse } from 'node:http';
import WebSocket from 'ws';
import { GateError, isGateError } from '../../errors.ts';
import { redactedUrl } from '../../lib/redacted-url.ts';
import type { TokenSource } from '../transport.ts';
import { takePreconnected } from './preconnect.ts';

/** A Pulsar topic permission (AuthAction): what a role must be granted to open this socket. */
export interface Access {
  readonly topic: string;
  readonly action: 'produce' | 'consume';
}

export interface ConnectOptions {
  readonly token?: TokenSource | undefined;
  readonly timeoutMs: number;
  /** What the socket is for, for error messages: "producer on persistent://…". */
  readonly purpose: string;
  readonly access?: Access | undefined;
  /**
   * Text frames, from the moment the socket opens. Attached in the 'open' handler itself:
   * ws starts reading on process.nextTick, before any promise continuation runs, so frames that
   * came with the 101 response (a reader's backlog, sent at once) would reach no listener.
   */
  readonly onText?: ((text: string) => void) | undefined;
}

/**
 * Opens one WebSocket to Pulsar's WebSocket API. The token goes in the Authorization header
 * of the upgrade request (never the URL, which proxies log). Handshake refusals map to
 * error codes: Pulsar answers an unauthenticated upgrade with 401, an unauthorised one
 * with 403, and a bad topic or parameter with 4xx (pulsar-websocket AbstractWebSocketHandler).
 */
export async function connect(url: URL, options: ConnectOptions): Promise<WebSocket> {
  const token = typeof options.token === 'function' ? await options.token() : options.token;
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return new Promise<WebSocket>((resolve, reject) => {
    const preconnected = takePreconnected(url);
    const socket = new WebSocket(url, {
      headers,
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
      ...(preconnected === undefined ? {} : { createConnection: preconnected }),
    });
    const fail = (error: GateError): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      reject(error);
    };
    socket.once('open', () => {
      socket.removeAllListeners();
      const onText = options.onText;
      if (onText !== undefined)
        socket.on('message', (data, isBinary) => {
          if (!isBinary) onText(data.toString());
        });
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      readBody(response).then((body) => fail(refusal(response.statusCode ?? 0, body, url, options)));
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

function refusal(status: number, body: string, url: URL, options: ConnectOptions): GateError {
  const reason = summarise(body);
  const where = `${options.purpose} at ${redactedUrl(url)}`;
  const details = { status: String(status), url: redactedUrl(url), ...options.access };
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
    `cannot reach Pulsar at ${redactedUrl(url)} for ${purpose}: ${code}`,
    {
      cause,
      details: { url: redactedUrl(url) },
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
