// vitest globalSetup: one broker for the whole run (starting Pulsar costs ~15 s), found by
// findBroker and described to the test workers through provide('pulsar').
import type { TestProject } from 'vitest/node';
import { startControlServer } from '../peers/pulsar/control-server.ts';
import { brokerOptionsFromEnv } from '../peers/pulsar/find-broker.ts';
import { type BrokerInfo, toBrokerInfo } from '../peers/pulsar/types.ts';
import { findBrokerWithIdentity } from '../peers/pulsar/with-identity.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pulsar: BrokerInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // This is a launcher entry point: the only place (with scripts/) that reads PULSAR_* env.
  const broker = await findBrokerWithIdentity(brokerOptionsFromEnv(process.env));
  const control = broker.restart !== undefined ? await startControlServer(broker) : undefined;
  project.provide('pulsar', toBrokerInfo(broker, control?.url));
  return async () => {
    await control?.close();
    await broker.stop();
  };
}
