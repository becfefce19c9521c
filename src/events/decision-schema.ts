import { isRecord } from '../lib/is-record.ts';
import {
  compactJwe,
  type FieldSpec,
  fieldsProblem,
  isTimestamp,
  listOf,
  matching,
  SHA256_B64URL,
  text,
} from './fields.ts';
import { MAX_GATE_TOKEN_JWE_BYTES } from './gate-token.ts';
import { EVENT_ID, NONCE } from './request-schema.ts';

export type Verdict = 'allow' | 'deny' | 'pending';

/** What the decision service signs (docs/formats.md, "Decision"), bound to one request by id, digest, nonce and key. */
export interface Decision {
  requestId: string;
  requestDigest: string;
  requestKeyThumbprint: string;
  nonce: string;
  verdict: Verdict;
  reasons: string[];
  policy: { ids: string[]; digest: string };
  issuedAt: string;
  expiresAt: string;
  /** Who must approve, for `pending`. */
  approvers?: string[];
  /** For `deny`: the identity or policy path that failed (P6). */
  failedPath?: string;
  /** This decision's id (`<requestId>:decision`, as in the decision log): a gate token's `jti`. */
  decisionId?: string;
  /**
   * For an `allow` of a request that carried `replyEncryptionKey` (gate mode): the gate token,
   * a compact JWE to that key (docs/formats.md, "The gate token"). Never on another verdict.
   */
  gateTokenJwe?: string;
  /** The decision's record in the audit trail (issue 15 §3), when the service keeps one. */
  auditLeaf?: AuditLeaf;
}

/**
 * Where a decision's audit record is: its trail and its leaf index (= its seq), the receipt
 * `audit prove` turns into an inclusion proof under a signed tree head.
 */
export interface AuditLeaf {
  trail: string;
  index: number;
}

export const VERDICTS: readonly Verdict[] = Object.freeze(['allow', 'deny', 'pending']);

const DECISION: FieldSpec = {
  requestId: [matching(EVENT_ID), true, 'a request id'],
  requestDigest: [matching(SHA256_B64URL), true, 'a base64url SHA-256 digest'],
  requestKeyThumbprint: [matching(SHA256_B64URL), true, 'an RFC 7638 SHA-256 thumbprint'],
  nonce: [matching(NONCE), true, 'a base64url nonce'],
  verdict: [(value) => VERDICTS.includes(value as Verdict), true, VERDICTS.join(' | ')],
  reasons: [listOf(text(1024)), true, 'a list of up to 64 lines'],
  policy: [isRecord, true, 'an object'],
  issuedAt: [isTimestamp, true, 'an RFC 3339 timestamp'],
  expiresAt: [isTimestamp, true, 'an RFC 3339 timestamp'],
  approvers: [listOf(text(256)), false, 'a list of up to 64 names'],
  failedPath: [text(1024), false, 'one line'],
  decisionId: [text(256), false, 'a decision id'],
  gateTokenJwe: [compactJwe(MAX_GATE_TOKEN_JWE_BYTES), false, 'a compact JWE'],
  auditLeaf: [isRecord, false, 'an object'],
};

const AUDIT_LEAF: FieldSpec = {
  trail: [text(256), true, 'a trail id'],
  index: [(value) => Number.isSafeInteger(value) && (value as number) >= 0, true, 'a leaf index'],
};

const POLICY: FieldSpec = {
  ids: [listOf(text(256)), true, 'a list of up to 64 policy ids'],
  digest: [text(256), true, 'a digest'],
};

/** The first problem with a decision payload, or undefined. Never quotes a value. */
export function decisionProblem(value: unknown): string | undefined {
  const problem =
    fieldsProblem(value, 'decision', DECISION) ??
    fieldsProblem((value as Decision).policy, 'decision.policy', POLICY) ??
    auditLeafProblem((value as Decision).auditLeaf);
  if (problem !== undefined) return problem;
  const { issuedAt, expiresAt } = value as Decision;
  if (Date.parse(expiresAt) <= Date.parse(issuedAt))
    return 'decision.expiresAt must be after decision.issuedAt';
  const { verdict, gateTokenJwe, decisionId } = value as Decision;
  // A gate token exists only for an allow, and names its decision by id (its `jti`).
  if (gateTokenJwe !== undefined && (verdict !== 'allow' || decisionId === undefined))
    return 'decision.gateTokenJwe comes only with an allow that has a decisionId';
  return undefined;
}

const auditLeafProblem = (leaf: unknown): string | undefined =>
  leaf === undefined ? undefined : fieldsProblem(leaf, 'decision.auditLeaf', AUDIT_LEAF);
