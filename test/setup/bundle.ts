// Builds both bundles (dist/pipe, dist/service) once per run, so the tests exercise the bundled entrypoints
// the image runs, not only the sources.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export default async function setup(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build.ts'], {
    cwd: new URL('../..', import.meta.url),
  });
}
