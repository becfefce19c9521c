import { HASH_BYTES, nodeHash } from './hash.ts';

/**
 * RFC 9162 §2.1.3.2: whether `path` proves the leaf with hash `leaf` at `index` of the tree
 * of `size` leaves whose root is `root`. Pure; every hash must be SHA-256-sized.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!sizes(index, size) || index >= size || !hashes([leaf, root, ...path])) return false;
  let r: Uint8Array = leaf;
  const walked = walk(index, size - 1, path, {
    left: (p) => {
      r = nodeHash(p, r);
    },
    right: (p) => {
      r = nodeHash(r, p);
    },
  });
  return walked && equal(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `path` proves the tree of `second` leaves (root `secondRoot`)
 * extends the tree of `first` leaves (root `firstRoot`) by appending only. Equal sizes need
 * an empty path and equal roots; a first tree of size 0 proves nothing and fails (as
 * transparency-dev's verifier and its test vectors treat these edge cases).
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  path: readonly Uint8Array[],
): boolean {
  if (!sizes(first, second) || first === 0 || first > second) return false;
  if (!hashes([firstRoot, secondRoot, ...path])) return false;
  if (first === second) return path.length === 0 && equal(firstRoot, secondRoot);
  if (path.length === 0) return false;
  // Step 2: a first tree that is a perfect subtree is itself the proof's starting node.
  const nodes = isPowerOfTwo(first) ? [firstRoot, ...path] : [...path];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = nodes[0] as Uint8Array;
  let sr = fr;
  const walked = walk(fn, sn, nodes.slice(1), {
    left: (c) => {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    },
    right: (c) => {
      sr = nodeHash(sr, c);
    },
  });
  return walked && equal(fr, firstRoot) && equal(sr, secondRoot);
}

/**
 * The loop §2.1.3.2 step 4 and §2.1.4.2 step 6 share: for each hash of the path, whether it
 * is a left sibling (LSB(fn) set, or fn = sn, then right-shift while LSB(fn) is not set and fn
 * is not 0) or a right one; then both shift once. False when the path is longer than the
 * tree is deep or ends before the root (sn is not 0).
 */
function walk(
  fn0: number,
  sn0: number,
  path: readonly Uint8Array[],
  on: { left: (hash: Uint8Array) => void; right: (hash: Uint8Array) => void },
): boolean {
  let fn = fn0;
  let sn = sn0;
  const shift = () => {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  };
  for (const hash of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      on.left(hash);
      while (fn % 2 === 0 && fn !== 0) shift();
    } else on.right(hash);
    shift();
  }
  return sn === 0;
}

const sizes = (...n: number[]): boolean => n.every((x) => Number.isSafeInteger(x) && x >= 0);
const hashes = (list: readonly Uint8Array[]): boolean => list.every((h) => h.length === HASH_BYTES);
// Math.log2 of an exact power of two is exact; bit operations would stop at 2³¹.
const isPowerOfTwo = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
