import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../errors.ts';
import { entryDigest, GENESIS, parseEntry } from './entry.ts';
import type { MerkleTree } from './merkle/tree.ts';
import { SegmentWriter } from './segment-writer.ts';
import { ACTIVE_SEGMENT, segmentLines, trailSegments, treeOf } from './trail-segments.ts';

/** Where the next entry goes: its trail, its seq and the digest it must carry. */
export interface TrailHead {
  readonly trail: string;
  readonly seq: number;
  readonly prev: string;
}

/** When the active segment is rotated, at the next checkpoint (issue 15 §5); 0 or absent: never. */
export interface Rotation {
  readonly bytes?: number;
  readonly ms?: number;
  readonly now: () => number;
}

/** The active segment: its first seq, its size so far and when it was started. */
export interface Segment {
  firstSeq: number;
  bytes: number;
  startedAt: number;
}

export interface Opened {
  readonly writer: SegmentWriter;
  readonly tree: MerkleTree;
  readonly lastHead: number | undefined;
  readonly next: TrailHead;
  readonly uncovered: boolean;
  readonly segment: Segment;
}

/** Reads every segment (cutting a torn last line off the active one) and opens the active one. */
export async function openTrail(
  dir: string,
  trailId: string | undefined,
  rotation: Rotation | undefined,
): Promise<Opened> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, ACTIVE_SEGMENT);
  const size = await fs.stat(path).then(
    (s) => s.size,
    () => 0,
  );
  const active = await segmentLines(path);
  const whole = active.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
  if (whole !== size) await fs.truncate(path, whole);
  const lines: string[] = [];
  for (const segment of await trailSegments(dir))
    lines.push(...(segment.firstSeq === undefined ? active : await segmentLines(segment.path)));
  const last = lines.length ? parseEntry(lines[lines.length - 1] ?? '') : undefined;
  if (typeof last === 'string')
    throw new GateError('AUDIT_INVALID', `${path}: the last entry is unreadable (${last})`);
  if (last && trailId && last.trail !== trailId)
    throw new GateError('AUDIT_INVALID', `${path} holds trail ${last.trail}, not ${trailId}`);
  const next: TrailHead = last
    ? { trail: last.trail, seq: last.seq + 1, prev: entryDigest(last) }
    : { trail: trailId ?? randomUUID(), seq: 0, prev: GENESIS };
  const first = active.length ? parseEntry(active[0] ?? '') : undefined;
  const firstSeq = first && typeof first !== 'string' ? first.seq : next.seq;
  const startedAt = first && typeof first !== 'string' ? Date.parse(first.at) : (rotation?.now() ?? 0);
  const writer = new SegmentWriter(dir, await fs.open(path, 'a', 0o600), firstSeq);
  const { tree, lastHead } = treeOf(lines);
  return {
    writer,
    tree,
    lastHead,
    next,
    uncovered: last !== undefined && last.type !== 'checkpoint',
    segment: { firstSeq, bytes: whole, startedAt },
  };
}
