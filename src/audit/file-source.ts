import { readFile } from 'node:fs/promises';
import { GateError } from '../errors.ts';
import type { TrailSource } from './mirror.ts';

/** A trail file (the service's `<STATE_DIR>/audit/trail.jsonl` or a copy): its line order is the trail's. */
export function fileTrailSource(path: string): TrailSource {
  return {
    async read() {
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        throw new GateError('AUDIT_INVALID', `cannot read ${path}`, { cause: error });
      });
      return { lines: text.split('\n').filter((line) => line.trim() !== ''), ordered: true, origin: path };
    },
  };
}
