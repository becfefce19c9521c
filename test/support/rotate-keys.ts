import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runPipe } from './run-pipe.ts';

/** The `kid` of a JWK file (the service's signing key after `keys generate` or `keys rotate`). */
export const kidOf = async (file: string): Promise<string> =>
  (JSON.parse(await readFile(file, 'utf8')) as { kid?: string }).kid ?? '';

/**
 * `keys rotate` on a keys directory as an operator runs it: the new set announced on
 * `keysTopic` over `pulsarUrl` with the broker's admin token, then the files switched. Asserts
 * it was announced; returns the new signing key's kid.
 */
export async function rotateKeys(
  dir: string,
  o: {
    readonly keysTopic: string;
    readonly pulsarUrl: string;
    readonly token: string | undefined;
    readonly grace?: string;
  },
): Promise<string> {
  const args = ['keys', 'rotate', '--dir', dir, '--keys-topic', o.keysTopic, '--pulsar-url', o.pulsarUrl];
  const run = await runPipe(
    {},
    {
      cwd: dir,
      args: [
        ...args,
        '--pulsar-token',
        o.token ?? '',
        ...(o.grace === undefined ? [] : ['--grace', o.grace]),
      ],
    },
  );
  expect(run.output).toMatch(/✔ Key set v\d+ announced/);
  expect(run.code, run.output).toBe(0);
  return kidOf(join(dir, 'service-key.json'));
}
