import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Pulsar broker for the whole run (see test/setup/broker.ts).
    // The container engine first, so the broker finder sees the same engine.
    globalSetup: [
      'test/setup/container.ts',
      'test/setup/broker.ts',
      'test/setup/bundle.ts',
      'test/setup/moto.ts',
    ],
    testTimeout: 60_000,
    // Starting the broker from a cold cache can take minutes (download + unpack + JVM start).
    hookTimeout: 240_000,
    // Stopping the broker may take up to ~20 s before it is killed.
    teardownTimeout: 30_000,
    pool: 'forks',
    // Two cores, and the broker JVM needs one of them.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
  },
});
