import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { Decision } from '../events/decision.ts';
import { decisionProblem } from '../events/decision-schema.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';
import type { OpenedRecord } from './records.ts';

/**
 * The record that opens a `pending` request to approvers, from the facts of the decision and
 * the pending decision this replica just signed (its binding: digest, nonce, request key);
 * undefined when there is nothing to open (a redelivered pending request carries no
 * requirements: it was opened the first time).
 */
export function openedRecord(
  facts: DecisionFacts,
  decisionJws: string,
  at: { readonly replyTopic: string; readonly replyKey?: ReplyEncryptionKey | undefined },
  now: number,
  windowMs: number,
): OpenedRecord | undefined {
  const decision = ownDecision(decisionJws);
  const step = facts.verified?.stepUuid;
  if (!facts.approval?.length || decision === undefined || step === undefined) return undefined;
  return {
    kind: 'opened',
    requestId: facts.requestId,
    requestDigest: decision.requestDigest,
    nonce: decision.nonce,
    keyThumbprint: decision.requestKeyThumbprint,
    stepUuid: step,
    eventTime: Date.parse(facts.requestedAt),
    replyTopic: at.replyTopic,
    openedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + windowMs).toISOString(),
    policy: decision.policy,
    approval: facts.approval,
    facts,
    ...(at.replyKey ? { replyEncryptionKey: at.replyKey } : {}),
  };
}

/** The pending decision this replica just signed, read back; undefined if it is not one. */
function ownDecision(jws: string): Decision | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return decisionProblem(value) === undefined ? (value as Decision) : undefined;
  } catch {
    return undefined;
  }
}
