// vitest globalSetup: a container engine for the whole run (test/container/engine.ts),
// described to the test workers through provide('containerEngine'). Listed before the
// broker's setup, so the broker finder sees the same engine (and keeps to the Maven Central
// distribution when the Pulsar image is not in the engine's store).
import type { TestProject } from 'vitest/node';
import { type EngineInfo, startEngine } from '../container/engine.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    containerEngine: EngineInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = await startEngine();
  project.provide('containerEngine', engine.info);
  return () => engine.stop();
}
