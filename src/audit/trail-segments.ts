import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseEntry } from './entry.ts';
import { leafHash } from './merkle/hash.ts';
import { MerkleTree } from './merkle/tree.ts';

/** The segment being written; earlier ones are `trail.<first seq, 12 digits>.jsonl`. */
export const ACTIVE_SEGMENT = 'trail.jsonl';
const ROTATED = /^trail\.(\d{12})\.jsonl$/;

/** A rotated segment's name: the seq of its first entry, so names sort in trail order. */
export const segmentName = (firstSeq: number): string => `trail.${String(firstSeq).padStart(12, '0')}.jsonl`;

/**
 * The trail's segments in `dir`, oldest first: the rotated ones by their first seq, then the
 * active one (when it exists). Rotation (§5 of issue 15) never breaks the trail: one chain,
 * one tree, one seq across them all.
 */
export async function trailSegments(dir: string): Promise<{ path: string; firstSeq: number | undefined }[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const rotated = names
    .map((name) => ({ name, match: ROTATED.exec(name) }))
    .filter((n) => n.match !== null)
    .map((n) => ({ path: join(dir, n.name), firstSeq: Number(n.match?.[1]) }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
  const active = names.includes(ACTIVE_SEGMENT)
    ? [{ path: join(dir, ACTIVE_SEGMENT), firstSeq: undefined }]
    : [];
  return [...rotated, ...active];
}

/**
 * What `--file` names, as the lines of one trail: a directory (STATE_DIR/audit) or its active
 * `trail.jsonl` reads every segment beside it, in order; any other file is read alone.
 */
export async function trailFilePaths(path: string): Promise<string[]> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (stat?.isDirectory()) return (await trailSegments(path)).map((s) => s.path);
  if (basename(path) !== ACTIVE_SEGMENT) return [path];
  return (await trailSegments(dirname(path))).map((s) => s.path);
}

/** The whole lines of a segment (a torn last line, never acknowledged, is left out). */
export async function segmentLines(path: string): Promise<string[]> {
  const text = await fs.readFile(path, 'utf8').catch(() => '');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean);
}

/** The tree over a trail's lines (canonical, as the trail file writes them), pruned at its last head. */
export function treeOf(lines: readonly string[]): { tree: MerkleTree; lastHead: number | undefined } {
  const tree = new MerkleTree();
  let lastHead: number | undefined;
  for (const line of lines) {
    // Canonical JSON sorts members, so a checkpoint's line always holds this member.
    if (line.includes('"type":"checkpoint"')) {
      const entry = parseEntry(line);
      if (typeof entry !== 'string' && entry.type === 'checkpoint') lastHead = entry.size;
    }
    tree.append(leafHash(Buffer.from(line, 'utf8')));
  }
  if (lastHead !== undefined && lastHead <= tree.size) tree.prune(lastHead);
  return { tree, lastHead };
}
