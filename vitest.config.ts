import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: pure tests and in-process peers, no global set-up — `npm run test:unit`
 * runs them in well under a minute. `integration` (`*.int.test.ts`): real Pulsar broker, the
 * built bundles, the container engine and the S3 peer, started once for the run by the global
 * set-up files below. `npm test` runs both.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Stopping the broker (integration set-up) may take up to ~20 s before it is killed.
    teardownTimeout: 30_000,
    pool: 'forks',
    // Two cores, and the broker JVM needs one of them.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          // The container engine first, so the broker finder sees the same engine.
          globalSetup: [
            'test/setup/container.ts',
            'test/setup/broker.ts',
            'test/setup/bundle.ts',
            'test/setup/moto.ts',
          ],
          // Starting the broker from a cold cache can take minutes (download + unpack + JVM start).
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
