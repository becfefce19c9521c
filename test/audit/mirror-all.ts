import { parseEntry } from '../../src/audit/entry.ts';
import type { Mirror } from '../../src/audit/mirror.ts';
import { createPulsarMirror } from '../../src/audit/pulsar-mirror.ts';
import { createS3Mirror, ensureLockedBucket } from '../../src/audit/s3-mirror.ts';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import type { S3Peer } from '../peers/s3/moto.ts';
import { brokerInfo } from '../support/broker.ts';
import { runProcess } from '../support/run-process.ts';

/** Writes trail lines to a new Object Lock bucket and a topic, as the service's mirrors do. */
export async function mirrorAll(
  s3: S3Peer,
  bucket: string,
  topic: string,
  lines: readonly string[],
  put: (mirror: string, seq: number) => boolean = () => true,
): Promise<void> {
  const client = s3.client();
  await ensureLockedBucket(client, bucket, true);
  const transport = new WebSocketTransport({
    url: brokerInfo().webSocketUrl,
    token: brokerInfo().adminToken,
  });
  const mirrors: Mirror[] = [
    createS3Mirror({
      client,
      bucket,
      prefix: 'pulsar-gate/audit/',
      retentionDays: 1,
      clock: { now: () => Date.now() },
    }),
    createPulsarMirror(transport, topic),
  ];
  for (const line of lines) {
    const entry = parseEntry(line);
    if (typeof entry === 'string') throw new Error(entry);
    for (const m of mirrors) if (put(m.name, entry.seq)) await m.put(entry, line, Date.now() + 10_000);
  }
  await Promise.all(mirrors.map((m) => m.close()));
  await transport.close();
}

const MAIN = new URL('../../cli/service/main.ts', import.meta.url).pathname;

/** `pulsar-gate-service` as a process, as an auditor runs it. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; text: string }> {
  const run = await runProcess(process.execPath, [MAIN, ...args], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: run.code, text: run.stdout + run.stderr };
}

export const S3_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
