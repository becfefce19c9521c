import type { DecisionFacts } from '../decision/decision-facts.ts';
import { canonicalJson, digestOf } from './canonical-json.ts';

/** `prev` of a trail's first entry: there is nothing before it. */
export const GENESIS = 'genesis';

/**
 * One decision as an auditor reads it: the decision's facts (verified identity, what was
 * asked, what was decided; never a token or a credential), and what it replaces.
 */
export type AuditRecord = DecisionFacts & {
  /** Seq of an earlier record of this request that was never published (its mirror write failed). */
  readonly replaces?: number;
};

interface EntryHead {
  readonly v: 1;
  /** The trail (one per service instance state directory). */
  readonly trail: string;
  /** 0, 1, 2 … with no gap. */
  readonly seq: number;
  /** Digest of the previous entry, or GENESIS. */
  readonly prev: string;
  readonly at: string;
}

export interface DecisionEntry extends EntryHead {
  readonly type: 'decision';
  readonly record: AuditRecord;
}

/**
 * A signed tree head (RFC 9162 §4.10, our JSON form): the root of the Merkle tree over every
 * entry before it, and a consistency proof from the trail's previous head.
 */
export interface TreeHead {
  /** Leaves in the tree: the entries seq 0 … size − 1, so always the checkpoint's own seq. */
  readonly size: number;
  /** base64url MTH of those entries (RFC 9162 §2.1.1); each leaf is one entry's canonical JSON. */
  readonly root: string;
  /** PROOF(from, D[size]) (RFC 9162 §2.1.4.1) from the previous head; absent on the first. */
  readonly consistency?: { readonly from: number; readonly path: readonly string[] };
}

/** A signature over everything before it: the JWS payload is the entry without `signature`. */
export interface CheckpointEntry extends EntryHead, TreeHead {
  readonly type: 'checkpoint';
  /** Compact JWS (RFC 7515 §7.1) by the decision service's key. */
  readonly signature: string;
}

/**
 * A trail's first entry (seq 0), signed like a checkpoint: it names the trail and the key
 * that opened it, so a trail nobody with a trusted key started cannot pass (issue 15 §1).
 */
export interface GenesisEntry extends EntryHead {
  readonly type: 'genesis';
  /** The service key (JWK `kid`, RFC 7517 §4.5) that signed this genesis. */
  readonly kid: string;
  /** Compact JWS (RFC 7515 §7.1) over the entry without `signature`. */
  readonly signature: string;
}

export type AuditEntry = DecisionEntry | CheckpointEntry | GenesisEntry;

/** The entries that carry their own signature. */
export type SignedEntry = CheckpointEntry | GenesisEntry;

/** The line stored in the trail file, the topic and the bucket: canonical JSON (RFC 8785). */
export const entryLine = (entry: AuditEntry): string => canonicalJson(entry);

export const entryDigest = (entry: AuditEntry): string => digestOf(entry);

/** Parses one stored line; a string describing the problem when it is not an entry. */
export function parseEntry(text: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  if (e.v !== 1) return 'unknown version';
  if (typeof e.trail !== 'string' || e.trail === '') return 'no trail';
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 0) return 'no seq';
  if (typeof e.prev !== 'string' || typeof e.at !== 'string') return 'no prev or at';
  if (e.type === 'decision') {
    const r = e.record;
    if (typeof r !== 'object' || r === null || typeof (r as { requestId?: unknown }).requestId !== 'string')
      return 'decision without a record';
    return value as DecisionEntry;
  }
  if (e.type === 'checkpoint') {
    if (typeof e.signature !== 'string') return 'unsigned checkpoint';
    return treeHeadProblem(e) ?? (value as CheckpointEntry);
  }
  if (e.type === 'genesis')
    return typeof e.signature === 'string' && typeof e.kid === 'string'
      ? (value as GenesisEntry)
      : 'unsigned genesis';
  return 'unknown type';
}

function treeHeadProblem(e: Record<string, unknown>): string | undefined {
  if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || typeof e.root !== 'string')
    return 'checkpoint without a tree head (size, root)';
  if (e.consistency === undefined) return undefined;
  const c = e.consistency as { from?: unknown; path?: unknown };
  const ok =
    typeof c === 'object' &&
    c !== null &&
    typeof c.from === 'number' &&
    Number.isSafeInteger(c.from) &&
    Array.isArray(c.path) &&
    c.path.every((h) => typeof h === 'string');
  return ok ? undefined : 'checkpoint with a malformed consistency proof';
}
