import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../lib/listen.ts';
import type { Answer, Receive } from './receiver.ts';

export interface WebhookServerOptions {
  readonly host: string;
  readonly port: number;
  /** The path Bitbucket posts to (the webhook's URL path). */
  readonly path: string;
  /** Bodies larger than this are refused with 413 before a byte more is read. */
  readonly maxBodyBytes: number;
  readonly receive: Receive;
}

/**
 * The webhook endpoint: `POST <path>` is a delivery, `GET /healthz` a liveness probe; anything
 * else is 404/405. The body is read up to `maxBodyBytes` and no further: a declared or actual
 * size over it is answered 413 (RFC 9110 §15.5.14) and the connection closed, before the
 * signature is even computed.
 */
export async function startWebhookServer(
  options: WebhookServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz' && request.method === 'GET')
      return send(response, { status: 200, message: 'ok' });
    if (path !== options.path) return send(response, { status: 404, message: 'not found' });
    if (request.method !== 'POST') return send(response, { status: 405, message: 'POST only' });
    void handle(request, response);
  });
  // Slow senders do not hold sockets for ever (Bitbucket itself gives up after about 10 s).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readLimited(request, options.maxBodyBytes);
    if (body === 'too-large') {
      send(response, { status: 413, message: `body over ${options.maxBodyBytes} bytes` }, true);
      return;
    }
    if (body === 'aborted') return;
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(',') : value;
    };
    try {
      send(response, await options.receive(header, body));
    } catch {
      // A bug must not become a 2xx: Bitbucket retries a 5xx.
      send(response, { status: 500, message: 'internal error' });
    }
  }

  const port = await listen(server, options.host, options.port);
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}${options.path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function readLimited(request: IncomingMessage, max: number): Promise<Uint8Array | 'too-large' | 'aborted'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        request.removeAllListeners('data');
        request.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('aborted', () => resolve('aborted'));
    request.on('error', () => resolve('aborted'));
  });
}

function send(response: ServerResponse, answer: Answer, close = false): void {
  if (response.headersSent) return;
  response.writeHead(answer.status, {
    'content-type': 'text/plain; charset=utf-8',
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(`${answer.message}\n`, () => {
    if (close) response.socket?.destroy();
  });
}
