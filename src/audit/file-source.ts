import { readFile } from 'node:fs/promises';
import { GateError } from '../errors.ts';
import type { TrailSource } from './mirror.ts';
import { trailFilePaths } from './trail-segments.ts';

/**
 * A trail file (the service's `<STATE_DIR>/audit/trail.jsonl` or a copy): its line order is the
 * trail's. The directory, or its active `trail.jsonl`, reads the rotated segments beside it
 * first (issue 15 §5), in seq order.
 */
export function fileTrailSource(path: string): TrailSource {
  return {
    async read() {
      const lines: string[] = [];
      const paths = await trailFilePaths(path);
      if (paths.length === 0) throw new GateError('AUDIT_INVALID', `cannot read ${path}: no trail there`);
      for (const segment of paths) {
        const text = await readFile(segment, 'utf8').catch((error: unknown) => {
          throw new GateError('AUDIT_INVALID', `cannot read ${segment}`, { cause: error });
        });
        lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
      }
      const origin = paths.length > 1 ? `${path} (${paths.length} segments)` : path;
      return { lines, ordered: true, origin };
    },
  };
}
