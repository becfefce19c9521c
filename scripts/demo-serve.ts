// `npm run demo`: the real decision service, `pulsar-gate-service serve`, as a process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/**
 * Starts `serve` with `env` (and PATH) and waits until it says where /healthz is, at most 60 s;
 * its output is kept for the end of the demo.
 */
export async function startDemoServe(env: Record<string, string>) {
  let serveLog = '';
  const serve = spawn(process.execPath, [join(root, 'cli/service/main.ts'), 'serve'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serve.stdout.on('data', (chunk: Buffer) => {
    serveLog += chunk;
  });
  serve.stderr.on('data', (chunk: Buffer) => {
    serveLog += chunk;
  });
  const started = Date.now();
  while (!serveLog.includes('/healthz')) {
    if (serve.exitCode !== null || Date.now() - started > 60_000)
      throw new Error(`serve did not start:\n${serveLog}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    /** Everything serve printed so far. */
    log: (): string => serveLog,
    /** SIGTERM, and wait for it to end. */
    async stop(): Promise<void> {
      serve.kill('SIGTERM');
      await new Promise((resolve) => serve.once('exit', resolve));
    },
  };
}
