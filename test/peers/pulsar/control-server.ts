// Lets test workers restart or cut the broker that the global setup owns: functions cannot be
// passed through vitest's provide(), so the setup serves these operations on loopback HTTP.
// A random path segment keeps other local users from poking it.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrokerHandle } from './types.ts';

export interface ControlServer {
  /** http://127.0.0.1:port/<secret> — POST …/restart, …/stop-broker, …/start-broker; GET …/pid */
  url: string;
  close(): Promise<void>;
}

export async function startControlServer(broker: BrokerHandle): Promise<ControlServer> {
  const secret = randomBytes(16).toString('hex');
  const operations: Record<string, (() => Promise<void>) | undefined> = {
    'POST /restart': broker.restart?.bind(broker),
    'POST /stop-broker': broker.halt?.bind(broker),
    'POST /start-broker': broker.resume?.bind(broker),
  };
  // One operation at a time: two workers restarting at once would fight over the ports.
  let queue: Promise<unknown> = Promise.resolve();

  const server = createServer((req, res) => {
    const path = (req.url ?? '').replace(`/${secret}`, '');
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!(req.url ?? '').startsWith(`/${secret}/`)) return reply(404, { error: 'not found' });
    if (req.method === 'GET' && path === '/pid') return reply(200, { pid: broker.pid ?? null });
    const operation = operations[`${req.method} ${path}`];
    if (operation === undefined) return reply(404, { error: `${req.method} ${path} not supported` });
    const started = Date.now();
    const run = queue.then(operation);
    queue = run.catch(() => undefined);
    run.then(
      () => reply(200, { ok: true, ms: Date.now() - started }),
      (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${secret}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
