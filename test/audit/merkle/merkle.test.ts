import { describe, expect, it } from 'vitest';
import { leafHash, nodeHash, splitPoint } from '../../../src/audit/merkle/hash.ts';
import { MerkleTree } from '../../../src/audit/merkle/tree.ts';
import { verifyConsistency, verifyInclusion } from '../../../src/audit/merkle/verify.ts';
import vectors from './transparency-dev-vectors.json' with { type: 'json' };

const b64 = (s: string | null | undefined): Buffer => Buffer.from(s ?? '', 'base64');
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function treeOf(leaves: readonly Buffer[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leafHash(leaf));
  return tree;
}

/** MTH as RFC 9162 §2.1.1 writes it, straight recursion over the leaves: the reference. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leafHash(leaves[0] as Buffer);
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));

function flipped(list: readonly Buffer[], at: number): Buffer[] {
  return list.map((h, i) => (i === at ? Buffer.from(h.map((byte, j) => (j === 7 ? byte ^ 1 : byte))) : h));
}

describe('RFC 9162 Merkle tree against transparency-dev/merkle', () => {
  const inputs = vectors.leafInputs.map(hex);

  it('roots of the first 0–8 leaves are the published ones', () => {
    const tree = treeOf(inputs);
    for (const [size, root] of vectors.rootHashes.entries())
      expect(tree.root(size).toString('hex'), `size ${size}`).toBe(root);
  });

  it.each(vectors.inclusion)('inclusion $file', (v) => {
    const ok = verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    expect(ok).toBe(!v.wantErr);
  });

  it.each(vectors.consistency)('consistency $file', (v) => {
    const hashes = [v.root1, v.root2, ...(v.proof ?? [])].map(b64);
    const ok = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    // Deliberately stricter than transparency-dev's verifier: a "hash" that is not 32 bytes
    // ("don't care" placeholders in a few vectors) never verifies, whatever else holds.
    expect(ok).toBe(!v.wantErr && hashes.every((h) => h.length === 32));
  });

  it('the proofs we make are the published ones', () => {
    const tree = treeOf(inputs);
    const published = vectors.inclusion.filter((v) => !v.wantErr && v.treeSize <= 8 && v.treeSize > 1);
    const consistent = vectors.consistency.filter((v) => !v.wantErr && v.size1 > 0 && v.size1 < v.size2);
    expect(published.length + consistent.length).toBeGreaterThan(4);
    for (const v of published)
      expect(tree.inclusionProof(v.leafIdx, v.treeSize).map((h) => h.toString('base64'))).toEqual(v.proof);
    for (const v of consistent)
      expect(tree.consistencyProof(v.size1, v.size2).map((h) => h.toString('base64'))).toEqual(v.proof);
  });
});

describe('every proof of trees up to 40 leaves', () => {
  const all = leaves(40);
  const tree = treeOf(all);

  it('roots equal the recursive definition; every inclusion proof verifies, at its index only', () => {
    for (let size = 1; size <= all.length; size++) {
      const root = tree.root(size);
      expect(root.equals(mth(all.slice(0, size)))).toBe(true);
      for (let index = 0; index < size; index++) {
        const path = tree.inclusionProof(index, size);
        const leaf = leafHash(all[index] as Buffer);
        expect(verifyInclusion(index, size, leaf, path, root)).toBe(true);
        // An attacker's variations: another index, another tree, a flipped bit, a shorter path.
        // (The size itself is bound by the signed head that carries the root, not the path.)
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaf, path, root)).toBe(false);
        if (size < all.length)
          expect(verifyInclusion(index, size + 1, leaf, path, tree.root(size + 1))).toBe(false);
        for (let at = 0; at < path.length; at++)
          expect(verifyInclusion(index, size, leaf, flipped(path, at), root)).toBe(false);
        if (path.length) expect(verifyInclusion(index, size, leaf, path.slice(1), root)).toBe(false);
      }
    }
  });

  it('every consistency proof verifies; a rewritten leaf before the first size breaks every one', () => {
    const rewritten = treeOf(all.map((leaf, i) => (i === 5 ? Buffer.from('rewritten') : leaf)));
    for (let second = 1; second <= all.length; second++)
      for (let first = 1; first <= second; first++) {
        const proof = tree.consistencyProof(first, second);
        const [r1, r2] = [tree.root(first), tree.root(second)];
        expect(verifyConsistency(first, second, r1, r2, proof)).toBe(true);
        for (let at = 0; at < proof.length; at++)
          expect(verifyConsistency(first, second, r1, r2, flipped(proof, at))).toBe(false);
        if (first > 5) {
          // The past rewritten, the later head re-signed: not an extension of the kept head.
          const forged = rewritten.consistencyProof(first, second);
          expect(verifyConsistency(first, second, r1, rewritten.root(second), forged)).toBe(false);
        }
      }
  });

  it('a pruned tree still gives roots and consistency proofs from its last head on', () => {
    const pruned = new MerkleTree();
    let head = 0;
    for (const [i, leaf] of all.entries()) {
      pruned.append(leafHash(leaf));
      if (i % 7 === 6) {
        const size = i + 1;
        expect(pruned.root(size).equals(tree.root(size))).toBe(true);
        if (head > 0) expect(pruned.consistencyProof(head, size)).toEqual(tree.consistencyProof(head, size));
        pruned.prune(size);
        head = size;
      }
    }
    expect(() => pruned.inclusionProof(0, head)).toThrow(/pruned/);
  });
});
