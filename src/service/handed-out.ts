import { buildDecisionFacts } from '../decision/build-decision-facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { Answering } from './answering.ts';
import type { DecisionRecord } from './decision-record.ts';
import type { Outcome } from './outcome.ts';

/**
 * The decision recorded for this very request (same id, same digest), handed out again as
 * the signed bytes that were published first (P2): nothing is decided, signed or audited.
 */
export function handedOut(to: Answering, claims: VerifiedStep, record: DecisionRecord): Outcome {
  return {
    kind: 'decided',
    requestId: to.event.id,
    jws: record.decisionJws,
    // The log names the verdict handed out again (its reasons are in that signed decision)
    // and when it was handed out; the audit trail already holds the decision itself.
    facts: buildDecisionFacts({
      event: to.event,
      claims,
      result: { verdict: record.verdict, determining: [], reasons: [] },
      policyDigest: to.policyDigest,
      decidedAt: new Date(to.ports.clock.now()),
    }),
    redelivered: true,
  };
}
