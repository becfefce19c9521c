import { createHash } from 'node:crypto';

/** SHA-256's output, and so the size of every hash in the tree (RFC 9162 §2.1: HASH is SHA-256). */
export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * The hash of a leaf, SHA-256(0x00 || leaf) (RFC 9162 §2.1.1): the prefix keeps a leaf from
 * ever passing for an inner node (second-preimage resistance across levels).
 */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** The hash of an inner node, SHA-256(0x01 || left || right) (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The hash of an empty tree, SHA-256() (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two smaller than n, for n > 1: RFC 9162 §2.1.1's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
