import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { checkpointProblem } from './checkpoint.ts';
import { type AuditEntry, type DecisionEntry, entryDigest, GENESIS, parseEntry } from './entry.ts';

export interface TrailSummary {
  readonly trail: string;
  readonly entries: number;
  readonly checkpoints: number;
  /** Seq of the last valid checkpoint, -1 when there is none. */
  readonly lastCheckpoint: number;
  /** Decision entries after the last checkpoint: their removal from the end could not be told. */
  readonly uncovered: number;
}

export interface BrokenLink {
  readonly trail: string | undefined;
  /** Where in the source (line number, message or object index), 1-based. */
  readonly position: number;
  readonly seq: number | undefined;
  readonly reason: string;
}

export type TrailVerdict =
  | {
      readonly ok: true;
      readonly trails: readonly TrailSummary[];
      readonly decisions: readonly DecisionEntry[];
    }
  | { readonly ok: false; readonly broken: BrokenLink };

interface Located {
  readonly entry: AuditEntry;
  readonly position: number;
}

/**
 * Checks stored entries against each other: every trail starts at seq 0 from GENESIS, each
 * entry carries the digest of the one before it (so an edit breaks the next link), seqs run
 * without a gap (so a removal shows), and every checkpoint's signature verifies with a
 * trusted key over the entry it sits in (so the chain up to it cannot be rebuilt by anyone
 * without the key). `ordered` sources (a file) must also hold entries in seq order;
 * unordered ones (topic, bucket) are sorted by seq, identical copies of one entry (a
 * mirror retry) counting once. Pure: the same input always gives the same first broken link.
 */
export async function verifyTrail(
  lines: readonly string[],
  keys: TrustedKeys,
  options: { ordered: boolean },
): Promise<TrailVerdict> {
  const byTrail = new Map<string, Located[]>();
  for (const [index, line] of lines.entries()) {
    const entry = parseEntry(line);
    if (typeof entry === 'string')
      return broken(undefined, index + 1, undefined, `not an audit entry (${entry})`);
    const list = byTrail.get(entry.trail) ?? [];
    list.push({ entry, position: index + 1 });
    byTrail.set(entry.trail, list);
  }
  const trails: TrailSummary[] = [];
  const decisions: DecisionEntry[] = [];
  for (const [trail, located] of byTrail) {
    const list = options.ordered ? located : dedupeSorted(located);
    if (typeof list === 'string') return broken(trail, 0, undefined, list);
    let prev = GENESIS;
    let lastCheckpoint = -1;
    let checkpoints = 0;
    let uncovered = 0;
    for (const [expected, { entry, position }] of list.entries()) {
      if (entry.seq !== expected) {
        const later = list.findIndex((item) => item.entry.seq === expected);
        const reason =
          later > expected
            ? `seq ${expected} is out of order: seq ${entry.seq} stands in its place`
            : `seq ${expected}${entry.seq - 1 > expected ? `–${entry.seq - 1}` : ''} missing: seq ${entry.seq} follows seq ${expected - 1}`;
        return broken(trail, position, entry.seq, reason);
      }
      if (entry.prev !== prev) {
        const reason =
          expected === 0
            ? 'the first entry does not start the trail (prev is not "genesis")'
            : `seq ${expected} does not carry the digest of seq ${expected - 1}: seq ${expected - 1} was altered, or seq ${expected} was`;
        return broken(trail, position, entry.seq, reason);
      }
      if (entry.type === 'checkpoint') {
        const problem = await checkpointProblem(entry, keys);
        if (problem) return broken(trail, position, entry.seq, problem);
        lastCheckpoint = entry.seq;
        checkpoints++;
        uncovered = 0;
      } else {
        decisions.push(entry);
        uncovered++;
      }
      prev = entryDigest(entry);
    }
    trails.push({ trail, entries: list.length, checkpoints, lastCheckpoint, uncovered });
  }
  return { ok: true, trails, decisions };
}

function dedupeSorted(located: readonly Located[]): Located[] | string {
  const bySeq = new Map<number, Located>();
  for (const item of located) {
    const seen = bySeq.get(item.entry.seq);
    if (seen && entryDigest(seen.entry) !== entryDigest(item.entry))
      return `seq ${item.entry.seq} is stored twice with different content (positions ${seen.position} and ${item.position})`;
    if (!seen) bySeq.set(item.entry.seq, item);
  }
  return [...bySeq.values()].sort((a, b) => a.entry.seq - b.entry.seq);
}

function broken(
  trail: string | undefined,
  position: number,
  seq: number | undefined,
  reason: string,
): TrailVerdict {
  return { ok: false, broken: { trail, position, seq, reason } };
}
