// Runs `bin/pulsar standalone` from the Maven Central distribution with a private run dir
// (config, RocksDB metadata, bookie journal, logs), so runs never share state and can overlap.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PULSAR_VERSION, ensureDistribution } from './distribution.ts';
import { freePorts } from './ports.ts';
import { type GroupProcess, logTail, spawnGroup, stopGroup } from './process-group.ts';
import { type OpenIdTrust, type StandalonePorts, writeStandaloneConfig } from './standalone-config.ts';
import { mintToken, newTokenSecret } from './tokens.ts';
import type { BrokerHandle } from './types.ts';

export interface StandaloneOptions {
  version?: string;
  /** How long to wait for the admin API, per start (default 180 s). */
  readyTimeoutMs?: number;
  openId?: OpenIdTrust | undefined;
  /** Maximum heap in MiB (default 512); the initial heap and direct memory are half of it. */
  heapMb?: number;
}

// Sized for a 2-core box: a 512 MiB heap sees only young GCs under test load. G1 with few
// threads replaces the shipped ZGC with 32 threads and AlwaysPreTouch (slow start, big RSS).
// C1-only JIT (TieredStopAtLevel=1) starts ~18% faster; a test broker never needs C2's peak.
function jvmEnv(heapMb: number): Record<string, string> {
  const half = Math.floor(heapMb / 2);
  return {
    PULSAR_MEM: `-Xms${half}m -Xmx${heapMb}m -XX:MaxDirectMemorySize=${half}m`,
    PULSAR_GC: '-XX:+UseG1GC -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:+PerfDisableSharedMem',
    // Setting this replaces conf/pulsar_env.sh's defaults, so they are repeated here.
    PULSAR_EXTRA_OPTS:
      '-Dpulsar.allocator.exit_on_oom=true -Dio.netty.recycler.maxCapacityPerThread=4096 -XX:TieredStopAtLevel=1',
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function namespaceReady(webUrl: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(`${webUrl}/admin/v2/namespaces/public/default`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
}

export interface StandaloneBroker extends BrokerHandle {
  restart(): Promise<void>;
  /** Stops the JVM but keeps ports, data and secret, so resume() brings the same broker back. */
  halt(): Promise<void>;
  /** Starts the JVM again after halt() (no-op if running) and waits until it is ready. */
  resume(): Promise<void>;
}

export async function startStandalone(options: StandaloneOptions = {}): Promise<StandaloneBroker> {
  const home = await ensureDistribution(options.version ?? DEFAULT_PULSAR_VERSION);
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const runDir = await mkdtemp(join(tmpdir(), 'pulsar-gate-broker-'));
  const [broker = 0, web = 0, bookie = 0] = await freePorts(3);
  const ports: StandalonePorts = { broker, web, bookie };
  const tokenSecret = newTokenSecret();
  const adminToken = await mintToken(tokenSecret, 'admin');
  const confFile = join(runDir, 'standalone.conf');
  const logFile = join(runDir, 'standalone.log');
  await writeStandaloneConfig({
    pulsarHome: home,
    file: confFile,
    ports,
    tokenSecret,
    adminToken,
    openId: options.openId,
  });
  await mkdir(join(runDir, 'data'));

  // bin/pulsar cds into PULSAR_HOME and the data dirs default to relative paths there: point
  // them into the run dir, which also survives restart() so the broker keeps its topics.
  const args = [
    'standalone',
    '-nfw',
    '-nss',
    '--metadata-dir',
    join(runDir, 'data', 'metadata'),
    '--bookkeeper-dir',
    join(runDir, 'data', 'bookkeeper'),
    '--bookkeeper-port',
    String(ports.bookie),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...jvmEnv(options.heapMb ?? 512),
    PULSAR_STANDALONE_CONF: confFile,
    PULSAR_LOG_DIR: join(runDir, 'logs'),
  };
  const webUrl = `http://127.0.0.1:${ports.web}`;
  let proc: GroupProcess | undefined;

  const launch = async (): Promise<void> => {
    const started = Date.now();
    const current = spawnGroup(join(home, 'bin', 'pulsar'), args, { env, logFile, orphanDir: runDir });
    proc = current;
    handle.pid = current.pgid;
    const deadline = started + readyTimeoutMs;
    while (!(await namespaceReady(webUrl, adminToken))) {
      const exited = current.hasExited();
      if (exited || Date.now() > deadline) {
        await stopGroup(current, 5_000);
        proc = undefined;
        const why = exited
          ? `exited early (${await current.exited})`
          : `not ready after ${readyTimeoutMs} ms`;
        throw new Error(
          `Pulsar standalone ${why}; run dir kept at ${runDir}. Last 50 log lines:\n${await logTail(logFile)}`,
        );
      }
      await sleep(500);
    }
    process.stderr.write(`pulsar-gate: broker ready on ${webUrl} in ${Date.now() - started} ms\n`);
  };

  const halt = async (): Promise<void> => {
    if (proc !== undefined) await stopGroup(proc);
    proc = undefined;
  };

  const handle: StandaloneBroker = {
    kind: 'distribution',
    webUrl,
    webSocketUrl: `ws://127.0.0.1:${ports.web}`,
    serviceUrl: `pulsar://127.0.0.1:${ports.broker}`,
    adminUrl: webUrl,
    adminToken,
    tokenSecret,
    logFile,
    restart: async () => {
      await halt();
      await launch();
    },
    halt,
    resume: async () => {
      if (proc === undefined) await launch();
    },
    stop: async () => {
      await halt();
      await rm(runDir, { recursive: true, force: true });
    },
  };
  await launch();
  return handle;
}
