import { auditRecord } from '../audit/audit-record.ts';
import { deniedInstead } from '../decision/build-decision-facts.ts';
import type { DecisionFacts } from '../decision/decision-facts.ts';
import { isGateError } from '../errors.ts';
import type { AuditLeaf } from '../events/decision-schema.ts';
import type { AuditPort } from './ports.ts';

export const AUDIT_UNAVAILABLE_REASON = 'audit mirror unavailable';

/**
 * Writes the decision's audit record before the decision is signed, and returns the facts
 * that may be published. An `allow` for an audited environment waits until every mirror
 * holds its record; when one does not in time the answer becomes a `deny` (fail closed),
 * recorded as replacing the allow that was never published. Everything else is queued for
 * the mirrors and decided at once. A failure of the local trail itself throws: no decision
 * goes out without its record, and the request is redelivered. The leaf of the record that
 * stands goes into the decision (issue 15 §3: the pipe's receipt).
 */
export async function auditedFacts(
  audit: AuditPort,
  facts: DecisionFacts,
): Promise<{ readonly facts: DecisionFacts; readonly auditLeaf: AuditLeaf }> {
  // The environment the token proves when it was established; an allow always has one.
  const environment = facts.verified?.environment?.slug ?? facts.asked.environment;
  const durable = facts.verdict === 'allow' && audit.audited(environment);
  try {
    return { facts, auditLeaf: await audit.write(auditRecord(facts), durable) };
  } catch (error) {
    if (!durable || !isGateError(error, 'AUDIT_UNAVAILABLE')) throw error;
    const denied = deniedInstead(facts, { reason: AUDIT_UNAVAILABLE_REASON, failedPath: 'audit mirror' });
    const replaces = Number(error.details.seq);
    const record = auditRecord(denied, Number.isSafeInteger(replaces) ? replaces : undefined);
    return { facts: denied, auditLeaf: await audit.write(record, false) };
  }
}
