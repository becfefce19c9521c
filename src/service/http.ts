import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { IssuerDocuments } from '../keys/issuer-documents.ts';
import { listen } from '../lib/listen.ts';
import type { Metrics } from './metrics.ts';

/** The gate issuer's two documents (issue 14), rendered per request: retired keys age out. */
export interface IssuerRoutes {
  readonly paths: { readonly discovery: string; readonly jwks: string };
  render(): IssuerDocuments;
}

/**
 * /healthz (the process serves), /readyz (subscribed and a policy set loaded), /metrics, and
 * with GATE_ISSUER the discovery document and JWKS AWS fetches (OIDC Discovery 1.0 §4).
 */
export async function startHttp(options: {
  host: string;
  port: number;
  metrics: Metrics;
  ready: () => boolean;
  issuer?: IssuerRoutes | undefined;
  /** Serves /approvals and below when approvals are configured (src/approvals/). */
  approvals?:
    | ((request: IncomingMessage, response: ServerResponse, path: string) => Promise<void>)
    | undefined;
}): Promise<{ url: string; close(): Promise<void> }> {
  const issuer = options.issuer;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (options.approvals && (path === '/approvals' || path.startsWith('/approvals/'))) {
      options.approvals(request, response, path).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'cache-control': 'no-store' });
        response.end();
      });
    } else if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (issuer && (path === issuer.paths.discovery || path === issuer.paths.jwks)) {
      const documents = issuer.render();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(path === issuer.paths.jwks ? documents.jwks : documents.discovery);
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
  const port = await listen(server, options.host, options.port);
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
