// `pulsar-gate-service webhooks` as a real child process, the way an operator runs it.
import { type ChildProcess, spawn } from 'node:child_process';

const MAIN = new URL('../../cli/service/main.ts', import.meta.url).pathname;

export interface WebhooksProcess {
  readonly child: ChildProcess;
  output(): string;
  /** The webhook URL once it listens; rejects with its output if it exits first. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function spawnWebhooks(env: Record<string, string>): WebhooksProcess {
  let output = '';
  const child = spawn(process.execPath, [MAIN, 'webhooks'], {
    env: { PATH: process.env.PATH ?? '', WEBHOOK_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /receiving Bitbucket webhooks at (http:\/\/\S+?);/.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`webhooks exited ${code}: ${output}`));
    });
  });
  ready.catch(() => {});
  return {
    child,
    output: () => output,
    ready,
    exited,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
