// Lets local commands (the demo) share the broker that `npm run pulsar` keeps running, through
// a small JSON file in the cache dir, instead of paying ~15 s for a broker of their own.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheRoot } from './distribution.ts';
import { brokerOptionsFromEnv, type FindBrokerOptions } from './find-broker.ts';
import { type BrokerHandle, type BrokerInfo, toBrokerInfo } from './types.ts';
import { findBrokerWithIdentity } from './with-identity.ts';

export interface BrokerRecord extends BrokerInfo {
  /** pid of the process that owns the broker (scripts/pulsar.ts). */
  pid: number;
  logFile?: string;
}

export function brokerFile(): string {
  return join(cacheRoot(), 'broker.json');
}

export async function writeBrokerFile(handle: BrokerHandle, ownerPid = process.pid): Promise<string> {
  const record: BrokerRecord = { ...toBrokerInfo(handle), pid: ownerPid };
  if (handle.logFile !== undefined) record.logFile = handle.logFile;
  const file = brokerFile();
  await mkdir(dirname(file), { recursive: true });
  // It holds the broker's superuser token: readable by this user only.
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export async function removeBrokerFile(): Promise<void> {
  await rm(brokerFile(), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The broker described by broker.json, if its owner is alive and its admin API answers. */
export async function liveBrokerRecord(): Promise<BrokerRecord | undefined> {
  let record: BrokerRecord;
  try {
    record = JSON.parse(await readFile(brokerFile(), 'utf8')) as BrokerRecord;
  } catch {
    return undefined;
  }
  if (!isAlive(record.pid)) return undefined;
  try {
    const headers: Record<string, string> = record.adminToken
      ? { authorization: `Bearer ${record.adminToken}` }
      : {};
    const res = await fetch(`${record.adminUrl}/admin/v2/namespaces/public/default`, {
      headers,
      signal: AbortSignal.timeout(3_000),
    });
    await res.body?.cancel();
    return res.ok ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The broker from `npm run pulsar` if one is up, else a new one (PULSAR_URL etc. honoured, as
 * in every launcher). Always call stop() on the result: it is a no-op for a reused broker.
 */
export async function reuseOrStartBroker(
  options: FindBrokerOptions = brokerOptionsFromEnv(process.env),
): Promise<BrokerHandle> {
  if (options.external === undefined) {
    const record = await liveBrokerRecord();
    if (record !== undefined) {
      process.stderr.write(
        `pulsar-gate: broker: reusing ${record.webUrl} from ${brokerFile()} (pid ${record.pid})\n`,
      );
      const { webUrl, webSocketUrl, serviceUrl, adminUrl, adminToken, tokenSecret, logFile, identity } =
        record;
      const handle: BrokerHandle = {
        kind: record.kind,
        webUrl,
        webSocketUrl,
        serviceUrl,
        adminUrl,
        stop: async () => {},
      };
      if (adminToken !== undefined) handle.adminToken = adminToken;
      if (tokenSecret !== undefined) handle.tokenSecret = tokenSecret;
      if (logFile !== undefined) handle.logFile = logFile;
      if (identity !== undefined) handle.identity = identity;
      return handle;
    }
  }
  return findBrokerWithIdentity(options);
}
