import type { DecisionFacts } from '../decision/decision-facts.ts';

/** One line of the decision log (OPA-style): the decision's facts, so never a token or a credential. */
export interface DecisionLogEntry extends DecisionFacts {
  /** `<requestId>:decision`, or `<requestId>:redelivery` when a decision was handed out again. */
  readonly decisionId: string;
  readonly redelivered: boolean;
  readonly timings: { readonly totalMs: number };
}

export function decisionLogEntry(
  facts: DecisionFacts,
  how: { readonly redelivered: boolean; readonly totalMs: number },
): DecisionLogEntry {
  return {
    decisionId: `${facts.requestId}:${how.redelivered ? 'redelivery' : 'decision'}`,
    ...facts,
    redelivered: how.redelivered,
    timings: { totalMs: Math.round(how.totalMs * 10) / 10 },
  };
}
