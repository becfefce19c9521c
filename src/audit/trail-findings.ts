import { entryDigest } from './entry.ts';
import type { Located, TrailVerdict, VerifyOptions } from './trail-verdict.ts';

/** A trail with no checkpoint never passes; a signed one with an unsigned tail passes only when allowed. */
export function unsignedProblem(
  entries: number,
  lastCheckpoint: number,
  uncovered: number,
  options: VerifyOptions,
): string | undefined {
  if (lastCheckpoint < 0) return 'no signed checkpoint: nothing in this trail is covered by a trusted key';
  if (uncovered === 0 || options.allowUnsignedTail) return undefined;
  return `${uncovered} record(s) after the last checkpoint (seq ${lastCheckpoint}) are not signed: seq ${lastCheckpoint + 1}–${entries - 1} (--allow-unsigned-tail reports them instead)`;
}

export function dedupeSorted(located: readonly Located[]): Located[] | string {
  const bySeq = new Map<number, Located>();
  for (const item of located) {
    const seen = bySeq.get(item.entry.seq);
    if (seen && entryDigest(seen.entry) !== entryDigest(item.entry))
      return `seq ${item.entry.seq} is stored twice with different content (positions ${seen.position} and ${item.position})`;
    if (!seen) bySeq.set(item.entry.seq, item);
  }
  return [...bySeq.values()].sort((a, b) => a.entry.seq - b.entry.seq);
}

export function broken(
  trail: string | undefined,
  position: number,
  seq: number | undefined,
  reason: string,
): TrailVerdict {
  return { ok: false, broken: { trail, position, seq, reason } };
}
