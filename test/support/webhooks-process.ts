// `pulsar-gate-service webhooks` as a real child process, the way an operator runs it.
import type { ChildProcess } from 'node:child_process';
import { spawnServiceCommand } from './serve-process.ts';

export interface WebhooksProcess {
  readonly child: ChildProcess;
  output(): string;
  /** The webhook URL once it listens; rejects with its output if it exits first. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function spawnWebhooks(env: Record<string, string>): WebhooksProcess {
  const spawned = spawnServiceCommand(
    'webhooks',
    { WEBHOOK_PORT: '0', ...env },
    /receiving Bitbucket webhooks at (http:\/\/\S+?);/,
  );
  return {
    ...spawned,
    stop: () => {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGTERM');
      return spawned.exited;
    },
  };
}
