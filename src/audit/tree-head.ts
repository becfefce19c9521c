import { canonicalJson } from './canonical-json.ts';
import type { AuditEntry, TreeHead } from './entry.ts';
import { leafHash } from './merkle/hash.ts';
import type { MerkleTree } from './merkle/tree.ts';
import { verifyConsistency } from './merkle/verify.ts';

/** A trail's leaf: the entry's canonical JSON (RFC 8785) as UTF-8, hashed as RFC 9162 §2.1.1 says. */
export const entryLeafHash = (entry: AuditEntry): Buffer =>
  leafHash(Buffer.from(canonicalJson(entry), 'utf8'));

export const toB64url = (hash: Uint8Array): string => Buffer.from(hash).toString('base64url');

/** base64url back to bytes; anything that is not strict base64url gives an empty (never valid) hash. */
export function fromB64url(text: string): Buffer {
  return /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : Buffer.alloc(0);
}

/** The tree head over the first `size` leaves, proven consistent with the head of `previous` leaves. */
export function treeHeadOf(tree: MerkleTree, size: number, previous: number | undefined): TreeHead {
  const root = toB64url(tree.root(size));
  if (previous === undefined) return { size, root };
  return {
    size,
    root,
    consistency: { from: previous, path: tree.consistencyProof(previous, size).map(toB64url) },
  };
}

/**
 * Why `head` is not an append-only extension of `previous` (RFC 9162 §2.1.4.2), or undefined
 * when its consistency proof holds. Keyless: it checks the two roots, not who signed them.
 */
export function consistencyProblem(previous: TreeHead, head: TreeHead): string | undefined {
  const proof = head.consistency;
  if (proof === undefined)
    return `the head of size ${head.size} carries no consistency proof from size ${previous.size}`;
  if (proof.from !== previous.size)
    return `the head of size ${head.size} is proven against size ${proof.from}, not the previous head's ${previous.size}`;
  const ok = verifyConsistency(
    previous.size,
    head.size,
    fromB64url(previous.root),
    fromB64url(head.root),
    proof.path.map(fromB64url),
  );
  return ok
    ? undefined
    : `the head of size ${head.size} is not consistent with the head of size ${previous.size}: its consistency proof (RFC 9162 §2.1.4.2) fails, the earlier tree was rewritten`;
}

/**
 * Why a checkpoint read from a trail is not the signed tree head of the entries before it:
 * its size must be its seq, its root the root of the `tree` built from those entries, and it
 * must carry a consistency proof from `previous` (the trail's head before it) that holds —
 * so the heads alone, without the entries, show the trail only ever grew.
 */
export function treeHeadProblem(
  head: TreeHead & { seq: number },
  tree: MerkleTree,
  previous: TreeHead | undefined,
): string | undefined {
  if (head.size !== head.seq)
    return `the tree head claims ${head.size} entries, but ${head.seq} come before it`;
  if (head.root !== toB64url(tree.root(head.size)))
    return `the tree head's root is not the Merkle root of the ${head.size} entries before it`;
  if (previous === undefined)
    return head.consistency === undefined
      ? undefined
      : 'the first tree head carries a consistency proof from nothing';
  return consistencyProblem(previous, head);
}
