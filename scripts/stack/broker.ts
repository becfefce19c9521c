// The stack's broker: the one PULSAR_URL names (yours, or a test run's), else the one
// `npm run pulsar` keeps running, else a new `npm run pulsar` started in the background (the
// Pulsar distribution from Maven Central, or its container image where it can be pulled),
// which `npm run stack -- down` stops again.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { brokerFile, liveBrokerRecord } from '../../test/peers/pulsar/reuse.ts';
import { ROOT } from './config.ts';

export interface StackBroker {
  readonly webSocketUrl: string;
  /** The superuser token of a local broker (the replicas' Pulsar credential by default). */
  readonly adminToken?: string;
  /** The `npm run pulsar` process the stack started, to stop on `down`. */
  readonly startedPid?: number;
  readonly describe: string;
}

export async function stackBroker(env: NodeJS.ProcessEnv, dir: string): Promise<StackBroker> {
  if (env.PULSAR_URL) {
    return { webSocketUrl: env.PULSAR_URL, describe: `${env.PULSAR_URL} (PULSAR_URL)` };
  }
  const running = await liveBrokerRecord();
  if (running) {
    return {
      webSocketUrl: running.webSocketUrl,
      ...(running.adminToken ? { adminToken: running.adminToken } : {}),
      describe: `${running.webUrl}, from npm run pulsar (pid ${running.pid})`,
    };
  }
  const log = join(dir, 'broker.log');
  const out = openSync(log, 'a');
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'pulsar.ts')], {
    env: process.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.unref();
  process.stderr.write(
    `pulsar-gate: stack: starting a broker (npm run pulsar, log ${log}); the first start downloads Pulsar\n`,
  );
  // Up to 5 minutes: a cold cache downloads the distribution first.
  for (let i = 0; i < 600; i++) {
    const record = await liveBrokerRecord();
    if (record && record.pid === child.pid) {
      return {
        webSocketUrl: record.webSocketUrl,
        ...(record.adminToken ? { adminToken: record.adminToken } : {}),
        startedPid: record.pid,
        describe: `${record.webUrl}, started now (pid ${record.pid}, ${brokerFile()})`,
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the broker did not start; see ${log}`);
}

export async function stopBroker(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
