import type { DecisionRecord } from '../../src/service/decision-record.ts';

export const T0 = Date.parse('2026-11-24T12:00:00Z');

/** A decision record of request r1, step {step}, key k1, decided at T0; `over` changes what a test needs. */
export const record = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  requestId: 'r1',
  requestDigest: 'd1',
  stepUuid: '{step}',
  keyThumbprint: 'k1',
  verdict: 'allow',
  decisionJws: 'jws-1',
  eventTime: T0,
  decidedAt: new Date(T0).toISOString(),
  bindsStep: true,
  ...over,
});
