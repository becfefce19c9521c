import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import type { PolicyDecision } from './types.ts';

/** What a suite case expects of its decision (policy-suite.ts); only what is given is checked. */
export interface Expectation {
  readonly verdict: 'allow' | 'deny' | 'pending';
  /** The determining policies, in any order, exactly. */
  readonly determining?: readonly string[];
  /** Text that one of the decision's reasons contains. */
  readonly reason?: string;
  readonly failedPath?: string;
  readonly approvers?: readonly string[];
}

export function expectation(value: unknown, where: string): Expectation {
  const bad = (issue: string) => new GateError('CONFIG_INVALID', `${where}: expect${issue}`);
  if (!isRecord(value)) throw bad(' is required: { "verdict": … }');
  const { verdict, determining, reason, failedPath, approvers } = value;
  if (verdict !== 'allow' && verdict !== 'deny' && verdict !== 'pending')
    throw bad('.verdict must be allow, deny or pending');
  const strings = (v: unknown, key: string): readonly string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw bad(`.${key} must be an array of strings`);
    return v;
  };
  const text = (v: unknown, key: string): string | undefined => {
    if (v !== undefined && typeof v !== 'string') throw bad(`.${key} must be a string`);
    return v;
  };
  const d = strings(determining, 'determining');
  const a = strings(approvers, 'approvers');
  const r = text(reason, 'reason');
  const f = text(failedPath, 'failedPath');
  return {
    verdict,
    ...(d === undefined ? {} : { determining: d }),
    ...(r === undefined ? {} : { reason: r }),
    ...(f === undefined ? {} : { failedPath: f }),
    ...(a === undefined ? {} : { approvers: a }),
  };
}

/** What differs between the decision and the expectation, one line each; none = passed. */
export function mismatches(expected: Expectation, decision: PolicyDecision): string[] {
  const out: string[] = [];
  if (decision.verdict !== expected.verdict)
    out.push(`verdict: expected ${expected.verdict}, got ${decision.verdict}`);
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  if (expected.determining !== undefined && !sameSet(expected.determining, decision.determining))
    out.push(
      `determining: expected [${expected.determining.join(', ')}], got [${decision.determining.join(', ')}]`,
    );
  if (expected.reason !== undefined && !decision.reasons.some((r) => r.includes(expected.reason ?? '')))
    out.push(
      `reason: none contains ${JSON.stringify(expected.reason)}; got ${JSON.stringify(decision.reasons)}`,
    );
  if (expected.failedPath !== undefined && decision.failedPath !== expected.failedPath)
    out.push(
      `failedPath: expected ${JSON.stringify(expected.failedPath)}, got ${JSON.stringify(decision.failedPath ?? null)}`,
    );
  if (expected.approvers !== undefined && !sameSet(expected.approvers, decision.approvers ?? []))
    out.push(
      `approvers: expected [${expected.approvers.join(', ')}], got [${(decision.approvers ?? []).join(', ')}]`,
    );
  return out;
}
