/**
 * One decision as every replica shares it on the decisions topic (docs/formats.md,
 * "Decision record"): what binds it to its request and step, and the signed decision that
 * was published, so any replica hands the same bytes out again. Never a token.
 */
export interface DecisionRecord {
  readonly requestId: string;
  readonly requestDigest: string;
  readonly stepUuid: string;
  readonly keyThumbprint: string;
  readonly verdict: 'allow' | 'deny' | 'pending';
  readonly decisionJws: string;
  /** Epoch ms of the request's event time (the window is judged on it). */
  readonly eventTime: number;
  readonly decidedAt: string;
  /** False for a deny that must not bind the step to its key (a second key, a mis-routed request). */
  readonly bindsStep: boolean;
}

/** A decision record read from the topic, or undefined when it is not one (never trusted blindly). */
export function parseDecisionRecord(text: string): DecisionRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const texts = ['requestId', 'requestDigest', 'stepUuid', 'keyThumbprint', 'decisionJws', 'decidedAt'];
  if (!texts.every((f) => typeof r[f] === 'string' && r[f] !== '')) return undefined;
  if (r.verdict !== 'allow' && r.verdict !== 'deny' && r.verdict !== 'pending') return undefined;
  if (typeof r.eventTime !== 'number' || !Number.isFinite(r.eventTime) || typeof r.bindsStep !== 'boolean')
    return undefined;
  return {
    requestId: r.requestId as string,
    requestDigest: r.requestDigest as string,
    stepUuid: r.stepUuid as string,
    keyThumbprint: r.keyThumbprint as string,
    verdict: r.verdict,
    decisionJws: r.decisionJws as string,
    eventTime: r.eventTime,
    decidedAt: r.decidedAt as string,
    bindsStep: r.bindsStep,
  };
}
