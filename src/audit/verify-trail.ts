import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { canonicalJson, digestOfCanonical } from './canonical-json.ts';
import { checkpointProblem } from './checkpoint.ts';
import { type CheckpointEntry, type DecisionEntry, GENESIS, parseEntry } from './entry.ts';
import { leafHash } from './merkle/hash.ts';
import { MerkleTree } from './merkle/tree.ts';
import { broken, dedupeSorted, unsignedProblem } from './trail-findings.ts';
import type { Located, TrailSummary, TrailVerdict, VerifiedTree, VerifyOptions } from './trail-verdict.ts';
import { treeHeadProblem } from './tree-head.ts';

export type {
  BrokenLink,
  Located,
  TrailSummary,
  TrailVerdict,
  VerifiedTree,
  VerifyOptions,
} from './trail-verdict.ts';

/**
 * Checks stored entries against each other (issue 15 §1: nothing unsigned passes): every
 * trail starts at seq 0 with a genesis signed by a trusted key, so a trail added by someone
 * without the key fails the whole source; each
 * entry carries the digest of the one before it (so an edit breaks the next link), seqs run
 * without a gap (so a removal shows), and every checkpoint's signature verifies with a
 * trusted key over the entry it sits in (so the chain up to it cannot be rebuilt by anyone
 * without the key); a trail needs at least one checkpoint, and a decision after the last
 * one fails unless `allowUnsignedTail`. What this cannot see: a trail cut back to one of its
 * own checkpoints (the witness's signed head can). Every checkpoint is also a signed tree
 * head (RFC 9162): its root must be the Merkle root of the entries before it, and its
 * consistency proof from the previous head must hold. `ordered` sources (a file) must also hold entries in seq order;
 * unordered ones (topic, bucket) are sorted by seq, identical copies of one entry (a
 * mirror retry) counting once. Pure: the same input always gives the same first broken link.
 */
export async function verifyTrail(
  lines: readonly string[],
  keys: TrustedKeys,
  options: VerifyOptions,
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
  const trees = new Map<string, VerifiedTree>();
  for (const [trail, located] of byTrail) {
    const list = options.ordered ? located : dedupeSorted(located);
    if (typeof list === 'string') return broken(trail, 0, undefined, list);
    let prev = GENESIS;
    let lastCheckpoint = -1;
    let checkpoints = 0;
    let uncovered = 0;
    const tree = new MerkleTree();
    const heads: CheckpointEntry[] = [];
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
      if ((expected === 0) !== (entry.type === 'genesis')) {
        const reason =
          expected === 0
            ? `trail ${trail} has no genesis: its first entry is a ${entry.type}, so no trusted key opened it`
            : `a second genesis at seq ${expected}`;
        return broken(trail, position, entry.seq, reason);
      }
      if (entry.type === 'decision') {
        decisions.push(entry);
        uncovered++;
      } else {
        const problem = await checkpointProblem(entry, keys);
        const what = entry.type === 'genesis' ? `trail ${trail} has no valid genesis: ` : '';
        if (problem) return broken(trail, position, entry.seq, `${what}${problem}`);
        if (entry.type === 'checkpoint') {
          const treeProblem = treeHeadProblem(entry, tree, heads[heads.length - 1]);
          if (treeProblem) return broken(trail, position, entry.seq, treeProblem);
          heads.push(entry);
          lastCheckpoint = entry.seq;
          checkpoints++;
          uncovered = 0;
        }
      }
      // One canonical form per entry: the next entry's link, and this entry's leaf (RFC 9162 §2.1.1).
      const canonical = canonicalJson(entry);
      prev = digestOfCanonical(canonical);
      tree.append(leafHash(Buffer.from(canonical, 'utf8')));
    }
    const last = list[list.length - 1];
    const unsigned = unsignedProblem(list.length, lastCheckpoint, uncovered, options);
    if (unsigned) return broken(trail, last?.position ?? 0, last?.entry.seq, unsigned);
    trails.push({ trail, entries: list.length, checkpoints, lastCheckpoint, uncovered });
    trees.set(trail, { tree, heads });
  }
  return { ok: true, trails, decisions, trees };
}
