import { EMPTY_ROOT, nodeHash, splitPoint } from './hash.ts';

/**
 * The RFC 9162 §2.1 Merkle tree over a list of leaf hashes, appended one at a time. Every
 * perfect subtree's hash is kept by level (level k, index j: leaves [j·2^k, (j+1)·2^k)), so
 * a root or a proof costs O(log n) hashes. `prune(m)` lets a writer that only ever proves
 * consistency from its last signed head (size m) forget what it will not need again.
 */
export class MerkleTree {
  /** levels[k] holds the perfect subtrees of 2^k leaves from index offsets[k] on. */
  readonly #levels: Buffer[][] = [[]];
  readonly #offsets: number[] = [0];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash (RFC 9162 §2.1.1: SHA-256(0x00 || leaf)) and completes the subtrees it closes. */
  append(leafHash: Buffer): void {
    let hash = leafHash;
    let index = this.#size;
    for (let level = 0; ; level++) {
      this.#put(level, index, hash);
      if (index % 2 === 0) break;
      hash = nodeHash(this.#node(level, index - 1), hash);
      index = Math.floor(index / 2);
    }
    this.#size++;
  }

  /** MTH(D[0:size]) (RFC 9162 §2.1.1), the root of the first `size` leaves. */
  root(size = this.#size): Buffer {
    this.#within(size);
    return size === 0 ? EMPTY_ROOT : this.#hash(0, size);
  }

  /** PATH(index, D[0:size]) (RFC 9162 §2.1.3.1): the audit path of one leaf. */
  inclusionProof(index: number, size = this.#size): Buffer[] {
    this.#within(size);
    if (!(Number.isSafeInteger(index) && index >= 0 && index < size))
      throw new RangeError(`no leaf ${index} in a tree of ${size}`);
    const path: Buffer[] = [];
    const walk = (m: number, start: number, end: number): void => {
      if (end - start === 1) return;
      const k = splitPoint(end - start);
      if (m < k) {
        walk(m, start, start + k);
        path.push(this.#hash(start + k, end));
      } else {
        walk(m - k, start + k, end);
        path.push(this.#hash(start, start + k));
      }
    };
    walk(index, 0, size);
    return path;
  }

  /** PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1): that the second tree extends the first. */
  consistencyProof(first: number, second = this.#size): Buffer[] {
    this.#within(second);
    if (!(Number.isSafeInteger(first) && first > 0 && first <= second))
      throw new RangeError(`no consistency proof from ${first} to ${second}`);
    const proof: Buffer[] = [];
    const sub = (m: number, start: number, end: number, whole: boolean): void => {
      const n = end - start;
      if (m === n) {
        if (!whole) proof.push(this.#hash(start, end));
        return;
      }
      const k = splitPoint(n);
      if (m <= k) {
        sub(m, start, start + k, whole);
        proof.push(this.#hash(start + k, end));
      } else {
        sub(m - k, start + k, end, false);
        proof.push(this.#hash(start, start + k));
      }
    };
    if (first < second) sub(first, 0, second, true);
    return proof;
  }

  /**
   * Forgets every subtree a root or consistency proof from `size` on never reads: what is
   * left of the perfect subtrees that make up the first `size` leaves (RFC 9162 §2.1.4.1
   * only ever reads those, and subtrees right of them).
   */
  prune(size: number): void {
    this.#within(size);
    for (let level = 0; level < this.#levels.length; level++) {
      const keepFrom = Math.max(0, Math.floor(size / 2 ** level) - 1);
      const drop = keepFrom - (this.#offsets[level] ?? 0);
      if (drop <= 0) continue;
      this.#levels[level]?.splice(0, drop);
      this.#offsets[level] = keepFrom;
    }
  }

  /** MTH(D[start:end]); a perfect aligned subtree is read, anything else is split as §2.1.1 splits. */
  #hash(start: number, end: number): Buffer {
    const n = end - start;
    const level = Math.log2(n);
    if (Number.isInteger(level) && start % n === 0) return this.#node(level, start / n);
    const k = splitPoint(n);
    return nodeHash(this.#hash(start, start + k), this.#hash(start + k, end));
  }

  #node(level: number, index: number): Buffer {
    const node = this.#levels[level]?.[index - (this.#offsets[level] ?? 0)];
    if (node === undefined) throw new RangeError(`subtree ${level}/${index} is not held (pruned)`);
    return node;
  }

  #put(level: number, index: number, hash: Buffer): void {
    if (this.#levels[level] === undefined) {
      this.#levels[level] = [];
      this.#offsets[level] = index;
    }
    this.#levels[level]?.push(hash);
  }

  #within(size: number): void {
    if (!(Number.isSafeInteger(size) && size >= 0 && size <= this.#size))
      throw new RangeError(`the tree holds ${this.#size} leaves, not ${size}`);
  }
}
