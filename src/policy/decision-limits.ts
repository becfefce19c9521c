import type { PolicyDecision } from './types.ts';

/**
 * The signed decision takes up to 64 reasons of one line and at most 1,024 characters each
 * (src/events/decision-schema.ts); Cedar messages and request values must not break that.
 */
export function fitForDecision(d: PolicyDecision): PolicyDecision {
  const fitted: PolicyDecision = {
    ...d,
    reasons: d.reasons.slice(0, 64).map((r) => oneLine(r)),
    errors: d.errors.map((e) => oneLine(e)),
  };
  if (d.failedPath !== undefined) fitted.failedPath = oneLine(d.failedPath);
  if (d.approvers !== undefined) fitted.approvers = d.approvers.slice(0, 64).map((a) => oneLine(a, 256));
  return fitted;
}

/** Control characters (they could forge log lines) become spaces; longer text is cut with `…`. */
function oneLine(text: string, max = 1024): string {
  const clean = text.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
