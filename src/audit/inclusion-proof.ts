import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { canonicalJson } from './canonical-json.ts';
import { checkpointProblem } from './checkpoint.ts';
import { type CheckpointEntry, type DecisionEntry, parseEntry } from './entry.ts';
import { verifyInclusion } from './merkle/verify.ts';
import type { VerifiedTree } from './trail-verdict.ts';
import { entryLeafHash, fromB64url, toB64url } from './tree-head.ts';

/** What the proof is, so a proof file can never be read as anything else (docs/formats.md). */
export const INCLUSION_PROOF_TYPE = 'pulsar-gate.audit-inclusion-proof';

/**
 * One decision's record under a signed tree head: the leaf (the trail entry; its canonical
 * JSON is what is hashed), its index, the tree size, the audit path PATH(index, D[size])
 * (RFC 9162 §2.1.3.1, base64url) and the checkpoint that signs that tree's root.
 */
export interface InclusionProof {
  readonly v: 1;
  readonly type: typeof INCLUSION_PROOF_TYPE;
  readonly leaf: DecisionEntry;
  readonly index: number;
  readonly treeSize: number;
  readonly auditPath: readonly string[];
  readonly head: CheckpointEntry;
}

/**
 * The inclusion proof of `entry` under the newest signed head of its verified trail that
 * covers it, or undefined when no head does yet (it is in the unsigned tail).
 */
export function proveInclusion(trail: VerifiedTree, entry: DecisionEntry): InclusionProof | undefined {
  const head = trail.heads.findLast((h) => h.size > entry.seq);
  if (head === undefined) return undefined;
  const auditPath = trail.tree.inclusionProof(entry.seq, head.size).map(toB64url);
  return {
    v: 1,
    type: INCLUSION_PROOF_TYPE,
    leaf: entry,
    index: entry.seq,
    treeSize: head.size,
    auditPath,
    head,
  };
}

export type ProofVerdict =
  | { readonly ok: true; readonly proof: InclusionProof }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks a proof offline with the trusted public keys alone (issue 15 §3): the head is a
 * checkpoint signed by a trusted key, the leaf is a decision of the head's trail at the
 * proof's index, the tree size is the head's, and the audit path leads from the leaf's hash
 * to the head's root (RFC 9162 §2.1.3.2). Pure; the first problem found is the reason.
 */
export async function verifyInclusionProof(value: unknown, keys: TrustedKeys): Promise<ProofVerdict> {
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const p = value as Record<string, unknown>;
  if (p.v !== 1 || p.type !== INCLUSION_PROOF_TYPE) return fail(`not a v1 ${INCLUSION_PROOF_TYPE}`);
  const leaf = entryOf(p.leaf);
  const head = entryOf(p.head);
  if (leaf?.type !== 'decision') return fail('the leaf is not a decision entry');
  if (head?.type !== 'checkpoint') return fail('the head is not a checkpoint (a signed tree head)');
  const path = p.auditPath;
  if (!Array.isArray(path) || !path.every((h) => typeof h === 'string')) return fail('no audit path');
  const signed = await checkpointProblem(head, keys);
  if (signed) return fail(`the head: ${signed}`);
  if (leaf.trail !== head.trail)
    return fail(`the leaf is of trail ${leaf.trail}, the head of trail ${head.trail}`);
  if (p.index !== leaf.seq) return fail(`the index ${String(p.index)} is not the leaf's seq ${leaf.seq}`);
  if (p.treeSize !== head.size)
    return fail(`the tree size ${String(p.treeSize)} is not the head's ${head.size}`);
  const ok = verifyInclusion(
    leaf.seq,
    head.size,
    entryLeafHash(leaf),
    path.map(fromB64url),
    fromB64url(head.root),
  );
  if (!ok)
    return fail(
      `the audit path does not lead from leaf ${leaf.seq} to the root of the signed head of size ${head.size} (RFC 9162 §2.1.3.2)`,
    );
  return { ok: true, proof: value as InclusionProof };
}

/** An entry as the trail would store it, or undefined; parsed from its canonical form. */
function entryOf(value: unknown) {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = parseEntry(canonicalJson(value));
  return typeof entry === 'string' ? undefined : entry;
}

const fail = (reason: string): ProofVerdict => ({ ok: false, reason });
