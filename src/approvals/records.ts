import type { ApprovalAct, ApprovalRequirement } from '../decision/approval-facts.ts';
import type { DecisionFacts } from '../decision/decision-facts.ts';
import * as f from '../events/fields.ts';
import { replyKeyProblem } from '../events/reply-key.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';
import { EVENT_ID, NONCE } from '../events/request-schema.ts';
import { isRecord } from '../lib/is-record.ts';

/**
 * A request that became `pending`, as the replica that decided it puts it on the approvals
 * topic (docs/formats.md, "Approval records"): everything another replica needs to count its
 * approvals and to sign the final decision bound to the same request, id, digest, nonce and
 * key — and the verified facts an approver is shown. Never a token.
 */
export interface OpenedRecord {
  readonly kind: 'opened';
  readonly requestId: string;
  readonly requestDigest: string;
  readonly nonce: string;
  readonly keyThumbprint: string;
  readonly stepUuid: string;
  /** Epoch ms of the request's event time (the decisions topic judges its window on it). */
  readonly eventTime: number;
  /** Where the pipe waits: derived from the request topic when it was decided. */
  readonly replyTopic: string;
  readonly openedAt: string;
  /** Approvals are accepted until then (APPROVAL_WINDOW after openedAt). */
  readonly expiresAt: string;
  readonly policy: { readonly ids: readonly string[]; readonly digest: string };
  readonly approval: readonly ApprovalRequirement[];
  /** The pending decision's facts (verified identity, what was asked): what approvers see. */
  readonly facts: DecisionFacts;
  /** Gate mode: the public key of the waiting run, to which an allow's gate token is encrypted. */
  readonly replyEncryptionKey?: ReplyEncryptionKey;
}

/** One approval or rejection the accepting replica verified, bound to the request's id and digest. */
export interface ActRecord {
  readonly kind: 'act';
  readonly requestId: string;
  readonly requestDigest: string;
  readonly act: ApprovalAct;
}

export type ApprovalRecord = OpenedRecord | ActRecord;

const OPENED: f.FieldSpec = {
  kind: [(v) => v === 'opened', true, '"opened"'],
  requestId: [f.matching(EVENT_ID), true, 'a request id'],
  requestDigest: [f.matching(f.SHA256_B64URL), true, 'a digest'],
  nonce: [f.matching(NONCE), true, 'a nonce'],
  keyThumbprint: [f.matching(f.SHA256_B64URL), true, 'a thumbprint'],
  stepUuid: [f.text(64), true, 'a step uuid'],
  eventTime: [(v) => typeof v === 'number' && Number.isFinite(v), true, 'epoch ms'],
  replyTopic: [f.text(512), true, 'a topic'],
  openedAt: [f.isTimestamp, true, 'a timestamp'],
  expiresAt: [f.isTimestamp, true, 'a timestamp'],
  policy: [isRecord, true, 'an object'],
  approval: [(v) => Array.isArray(v) && v.length > 0 && v.every(isRequirement), true, 'requirements'],
  facts: [isRecord, true, 'the pending decision facts'],
  replyEncryptionKey: [(v) => replyKeyProblem(v) === undefined, false, 'a public reply key'],
};

const ACT: f.FieldSpec = {
  kind: [(v) => v === 'act', true, '"act"'],
  requestId: [f.matching(EVENT_ID), true, 'a request id'],
  requestDigest: [f.matching(f.SHA256_B64URL), true, 'a digest'],
  act: [isAct, true, 'an approval or rejection'],
};

/** A record read back from the approvals topic (after its signature verified), or undefined. */
export function parseApprovalRecord(value: unknown): ApprovalRecord | undefined {
  if (!isRecord(value)) return undefined;
  if (isOpenedRecord(value) || isActRecord(value)) return value;
  return undefined;
}

// Type guards over the field checks: the record is its type only once every field passed.
function isOpenedRecord(value: Record<string, unknown>): value is Record<string, unknown> & OpenedRecord {
  return value.kind === 'opened' && f.fieldsProblem(value, 'opened', OPENED) === undefined;
}

function isActRecord(value: Record<string, unknown>): value is Record<string, unknown> & ActRecord {
  return value.kind === 'act' && f.fieldsProblem(value, 'act', ACT) === undefined;
}

function isRequirement(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.policy === 'string' &&
    Array.isArray(value.groups) &&
    value.groups.every((g) => typeof g === 'string') &&
    Number.isSafeInteger(value.count) &&
    (value.count as number) >= 1
  );
}

function isAct(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.approver)) return false;
  const a = value.approver;
  return (
    (value.kind === 'approve' || value.kind === 'reject') &&
    typeof value.comment === 'string' &&
    f.isTimestamp(value.at) &&
    typeof a.iss === 'string' &&
    typeof a.sub === 'string' &&
    typeof a.name === 'string' &&
    Array.isArray(a.groups) &&
    a.groups.every((g) => typeof g === 'string') &&
    (a.bitbucket === undefined || typeof a.bitbucket === 'string')
  );
}
