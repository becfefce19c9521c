import type { AuditEntry, CheckpointEntry, DecisionEntry } from './entry.ts';
import type { MerkleTree } from './merkle/tree.ts';

export interface TrailSummary {
  readonly trail: string;
  readonly entries: number;
  readonly checkpoints: number;
  /** Seq of the last valid checkpoint, -1 when there is none. */
  readonly lastCheckpoint: number;
  /**
   * Decision entries after the last checkpoint: their removal or rewriting could not be told.
   * Non-zero only with `allowUnsignedTail`; otherwise such a trail is broken.
   */
  readonly uncovered: number;
}

/** A verified trail's Merkle tree (every entry a leaf) and its signed tree heads, oldest first. */
export interface VerifiedTree {
  readonly tree: MerkleTree;
  readonly heads: readonly CheckpointEntry[];
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
      readonly trees: ReadonlyMap<string, VerifiedTree>;
    }
  | { readonly ok: false; readonly broken: BrokenLink };

export interface Located {
  readonly entry: AuditEntry;
  readonly position: number;
}

export interface VerifyOptions {
  /** Whether the source's order is the trail's (a file) or not (topic, bucket). */
  readonly ordered: boolean;
  /** Report decisions after the last checkpoint instead of failing on them. */
  readonly allowUnsignedTail?: boolean;
}
