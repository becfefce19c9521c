import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { AuditRecord } from './entry.ts';

/**
 * The audit record of one decision: its facts as they are (built from named fields only, so
 * no token can be in them), and the seq of the record it replaces, if any.
 */
export function auditRecord(facts: DecisionFacts, replaces?: number): AuditRecord {
  return replaces === undefined ? facts : { ...facts, replaces };
}
