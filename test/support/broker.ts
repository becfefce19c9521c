// What tests use to reach the run's broker (started by test/setup/broker.ts).
import { inject } from 'vitest';
import { type PulsarAdmin, pulsarAdmin } from '../peers/pulsar/admin.ts';
import type { BrokerInfo } from '../peers/pulsar/types.ts';

export function brokerInfo(): BrokerInfo {
  return inject('pulsar');
}

/** Admin client with the superuser token. */
export function brokerAdmin(): PulsarAdmin {
  const info = brokerInfo();
  return pulsarAdmin(info.adminUrl, info.adminToken);
}

async function control(method: 'GET' | 'POST', operation: string): Promise<unknown> {
  const info = brokerInfo();
  if (info.controlUrl === undefined) {
    throw new Error(`${operation} needs a broker this run started itself; this one is ${info.kind}`);
  }
  const res = await fetch(`${info.controlUrl}/${operation}`, { method });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`broker ${operation} failed: ${JSON.stringify(body)}`);
  return body;
}

/** True when restartBroker()/stopBroker()/startBroker() can work (a broker this run owns). */
export function brokerControllable(): boolean {
  return brokerInfo().controlUrl !== undefined;
}

/**
 * Restarts the broker on the same ports, data and secret; resolves once it serves again.
 * The broker is shared by all test files, so only tests that tolerate this should call it.
 */
export async function restartBroker(): Promise<void> {
  await control('POST', 'restart');
}

/** Takes the broker down (state kept) until startBroker(). */
export async function stopBroker(): Promise<void> {
  await control('POST', 'stop-broker');
}

export async function startBroker(): Promise<void> {
  await control('POST', 'start-broker');
}

/** Process-group id of the broker right now (changes on restart). */
export async function brokerPid(): Promise<number> {
  const body = (await control('GET', 'pid')) as { pid: number | null };
  if (body.pid === null) throw new Error('the broker reports no pid');
  return body.pid;
}
