import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Metrics } from './metrics.ts';

/** /healthz (the process serves), /readyz (subscribed and a policy set loaded), /metrics. */
export async function startHttp(options: {
  host: string;
  port: number;
  metrics: Metrics;
  ready: () => boolean;
  /** Serves /approvals and below when approvals are configured (src/approvals/). */
  approvals?:
    | ((request: IncomingMessage, response: ServerResponse, path: string) => Promise<void>)
    | undefined;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (options.approvals && (path === '/approvals' || path.startsWith('/approvals/'))) {
      options.approvals(request, response, path).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'cache-control': 'no-store' });
        response.end();
      });
    } else if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = options.ready();
      response
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? 'ready\n' : 'not ready\n');
    } else if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(options.metrics.render());
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
