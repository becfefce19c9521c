// Timing child processes for bench/run.ts: spawn → exit, and spawn → first TCP connection.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const root = new URL('..', import.meta.url).pathname;

/** Spawn → exit of `node <args>` in the project root, with only PATH and `env`. */
export function exitTime(args: string[], env: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: 'ignore',
      cwd: root,
    });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

/** Spawn → the first TCP connection the process makes (the pipe: to Pulsar or STS), then stop it. */
export async function firstNetworkCall(
  env: Record<string, string>,
  args = ['dist/pipe/pulsar-gate.mjs'],
): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    args.map((a) => a.replace('{port}', String(port))),
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`,
        PULSAR_URL: `ws://127.0.0.1:${port}`,
      },
      stdio: 'ignore',
      cwd: root,
    },
  );
  const ms = await new Promise<number>((resolve) =>
    server.once('connection', (socket) => {
      resolve(performance.now() - started);
      socket.destroy();
    }),
  );
  child.kill('SIGKILL');
  server.close();
  return ms;
}
