import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { checkpointProblem } from './checkpoint.ts';
import { type AuditEntry, type CheckpointEntry, entryDigest, parseEntry } from './entry.ts';
import { consistencyProblem } from './tree-head.ts';
import type { BrokenLink } from './verify-trail.ts';

/** The newest signed head a witness holds for one trail of the file. */
export interface WitnessedHead {
  readonly trail: string;
  /** Seq of the witness's newest valid checkpoint: the file must hold it, identical. */
  readonly seq: number;
  readonly at: string;
}

/**
 * How strict: an auditor passes the trusted keys and needs a head for every trail of the file;
 * the service at start (no public keys at hand) passes its own trail id and none, so any head
 * in its mirror that its local trail does not hold identically stops it, signed or not.
 */
export type WitnessCheck =
  | { readonly keys: TrustedKeys; readonly trail?: undefined }
  | { readonly keys?: undefined; readonly trail: string };

export type WitnessVerdict =
  | { readonly ok: true; readonly heads: readonly WitnessedHead[] }
  | { readonly ok: false; readonly broken: BrokenLink };

/**
 * Checks an already verified trail file against a witness (the bucket or the topic the
 * service mirrors every entry to, checkpoints included, issue 15 §2). A checkpoint is a
 * signed head: trail, size (seq + 1) and head hash (its own digest, which commits through
 * `prev` to every entry before it). Every head the witness holds for a trail of the file
 * must be the file's entry at that seq, byte for byte in canonical form: a file that ends
 * before the witness's newest head was cut back; a head that differs is not an extension of
 * the file's (or the witness's earlier) heads — a fork, or the past rewritten and re-signed.
 * The witness's heads must also prove each other append-only: each one's consistency proof
 * (RFC 9162 §2.1.4.2) from the one before it must hold, with or without the file. A file
 * trail the witness holds no head of, and a witness checkpoint whose signature does not
 * hold, fail too (fail closed).
 * Pure: the same input gives the same first finding.
 */
export async function checkWitness(
  fileLines: readonly string[],
  witnessLines: readonly string[],
  check: WitnessCheck,
): Promise<WitnessVerdict> {
  const { keys } = check;
  // Each file entry by trail and seq; its digest is computed only where the witness holds a head.
  const file = new Map<string, Map<number, AuditEntry>>();
  for (const line of fileLines) {
    const entry = parseEntry(line);
    if (typeof entry === 'string') continue; // verifyTrail has refused such a file already
    const seqs = file.get(entry.trail) ?? new Map<number, AuditEntry>();
    seqs.set(entry.seq, entry);
    file.set(entry.trail, seqs);
  }
  if (check.trail !== undefined && !file.has(check.trail)) file.set(check.trail, new Map());
  const heads = new Map<string, Map<number, CheckpointEntry>>();
  for (const [index, line] of witnessLines.entries()) {
    const entry = parseEntry(line);
    if (typeof entry === 'string')
      return broken(
        undefined,
        index + 1,
        undefined,
        `the witness holds something that is not an audit entry (${entry})`,
      );
    if (entry.type !== 'checkpoint' || !file.has(entry.trail)) continue;
    const problem = keys && (await checkpointProblem(entry, keys));
    if (problem)
      return broken(entry.trail, index + 1, entry.seq, `the witness's head at seq ${entry.seq}: ${problem}`);
    const seen = heads.get(entry.trail) ?? new Map<number, CheckpointEntry>();
    const copy = seen.get(entry.seq);
    // A mirror's retry stores an identical copy; two different heads at one seq are a fork.
    if (copy && entryDigest(copy) !== entryDigest(entry))
      return broken(
        entry.trail,
        index + 1,
        entry.seq,
        `the witness holds two different heads at seq ${entry.seq}`,
      );
    seen.set(entry.seq, entry);
    heads.set(entry.trail, seen);
  }
  const newest: WitnessedHead[] = [];
  for (const [trail, seqs] of file) {
    const held = [...(heads.get(trail)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
    const last = held[held.length - 1];
    if (!last) {
      if (keys) return broken(trail, 0, undefined, `the witness holds no signed head of trail ${trail}`);
      continue;
    }
    // A loop, not Math.max(...seqs): a spread of 100 000 seqs overflows the call stack.
    let end = -1;
    for (const seq of seqs.keys()) end = Math.max(end, seq);
    for (const [i, head] of held.entries()) {
      const before = held[i - 1];
      const inconsistent = before && consistencyProblem(before, head);
      if (inconsistent)
        return broken(trail, 0, head.seq, `the witness's signed heads disagree: ${inconsistent}`);
    }
    for (const head of held) {
      const mine = seqs.get(head.seq);
      if (mine === undefined)
        return broken(
          trail,
          0,
          head.seq,
          `the file is behind the witness: it ends at seq ${end}, the witness holds a signed head at seq ${head.seq} (tree size ${head.size}, ${head.at}); the trail was cut back`,
        );
      if (entryDigest(mine) !== entryDigest(head))
        return broken(
          trail,
          0,
          head.seq,
          `the witness's signed head at seq ${head.seq} is not an extension of the file's trail: the file's entry at seq ${head.seq} differs (a fork, or the past rewritten and signed again)`,
        );
    }
    newest.push({ trail, seq: last.seq, at: last.at });
  }
  return { ok: true, heads: newest };
}

function broken(
  trail: string | undefined,
  position: number,
  seq: number | undefined,
  reason: string,
): WitnessVerdict {
  return { ok: false, broken: { trail, position, seq, reason } };
}
