// The S3 test peer: a real moto server (S3 API with versioning and Object Lock) on a free
// loopback port, behind a TCP relay the tests can cut to simulate an S3 outage without
// losing the server's state.
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../pulsar/ports.ts';
import { logTail, spawnGroup, stopGroup } from '../pulsar/process-group.ts';

export interface S3Peer {
  /** The relay's URL: what the code under test talks to. */
  readonly endpoint: string;
  /** A client with moto's accepted dummy credentials, path-style, no SDK retries. */
  client(): S3Client;
  /** Connections are refused (and open ones cut) until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3(motoServer: string): Promise<S3Peer> {
  const [motoPort, relayPort] = [await freePort(), await freePort()];
  const logFile = join(await mkdtemp(join(tmpdir(), 'moto-')), 'moto.log');
  const proc = spawnGroup(motoServer, ['-H', '127.0.0.1', '-p', String(motoPort)], {
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    logFile,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${motoPort}/`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (proc.hasExited() || Date.now() > deadline) {
      await stopGroup(proc, 1_000);
      throw new Error(`moto did not start on ${motoPort}:\n${await logTail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const sockets = new Set<Socket>();
  let relay: Server | undefined;
  const up = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const server = createServer((inbound) => {
        const outbound = connect(motoPort, '127.0.0.1');
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      server.once('error', reject);
      server.listen(relayPort, '127.0.0.1', () => {
        relay = server;
        resolve();
      });
    });
  const down = async (): Promise<void> => {
    const server = relay;
    relay = undefined;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  };
  await up();
  const endpoint = `http://127.0.0.1:${relayPort}`;
  return {
    endpoint,
    client: () =>
      new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    down,
    up,
    async stop() {
      await down();
      await stopGroup(proc, 5_000);
    },
  };
}
