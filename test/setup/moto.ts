// vitest globalSetup: makes sure the S3 test peer (moto in server mode, from PyPI) is
// installed in its cache venv — quick when it is — and tells the workers where it is.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    motoServer: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const script = new URL('../peers/s3/moto-venv.sh', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)('bash', [script], { timeout: 9 * 60_000 });
  project.provide('motoServer', stdout.trim());
}
