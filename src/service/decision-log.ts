import type { DecisionFacts } from '../decision/decision-facts.ts';

/** One line of the decision log (OPA-style): the decision's facts, so never a token or a credential. */
export interface DecisionLogEntry extends DecisionFacts {
  /** `<requestId>:decision`, or `<requestId>:redelivery` when a decision was handed out again. */
  readonly decisionId: string;
  readonly redelivered: boolean;
  readonly timings: { readonly totalMs: number };
}

/**
 * A decision's id: the signed decision's `decisionId` and so its gate token's `jti` (issue 14),
 * and the decision log's id for it. One decision per request id (P2) makes it unique.
 */
export const decisionIdOf = (requestId: string): string => `${requestId}:decision`;

export function decisionLogEntry(
  facts: DecisionFacts,
  how: { readonly redelivered: boolean; readonly totalMs: number },
): DecisionLogEntry {
  return {
    decisionId: how.redelivered ? `${facts.requestId}:redelivery` : decisionIdOf(facts.requestId),
    ...facts,
    redelivered: how.redelivered,
    timings: { totalMs: Math.round(how.totalMs * 10) / 10 },
  };
}
