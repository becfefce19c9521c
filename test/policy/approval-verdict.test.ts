// allow or pending, from the permits Cedar found satisfied: one permit that needs no one
// allows; only when every one wants approval is it pending, and it reads the same whatever
// order Cedar reports the permits in.
import { describe, expect, it } from 'vitest';
import { allowOrPending, type PolicyNames } from '../../src/policy/approval-verdict.ts';

const ANNOTATIONS: Record<string, Record<string, string>> = {
  'prod-qa': { approval: 'qa' },
  'prod-two': { approval: 'security, release-managers', approvals: '2' },
  'prod-free': {},
};
const names: PolicyNames = {
  annotations: (id) => ANNOTATIONS[id] ?? {},
  label: (id) => `policy ${id}`,
};

describe('allowOrPending', () => {
  it('a satisfied permit that needs no approval allows, naming only the free permits', () => {
    const decision = allowOrPending(['prod-qa', 'prod-free'], names);
    expect(decision).toEqual({
      verdict: 'allow',
      determining: ['prod-free', 'prod-qa'],
      reasons: ['allowed by policy prod-free'],
      errors: [],
    });
  });

  it('every permit wants approval: pending, with each group and count, the approvers once each', () => {
    const decision = allowOrPending(['prod-two', 'prod-qa'], names);
    expect(decision.verdict).toBe('pending');
    expect(decision.approvers).toEqual(['qa', 'security', 'release-managers']);
    expect(decision.approval).toEqual([
      { policy: 'prod-qa', groups: ['qa'], count: 1 },
      { policy: 'prod-two', groups: ['security', 'release-managers'], count: 2 },
    ]);
    expect(decision.reasons).toEqual([
      'policy prod-qa allows this once approved by qa',
      'policy prod-two allows this once approved by 2 distinct people from security or release-managers',
    ]);
  });

  it('reads the same whatever order Cedar reports the permits in', () => {
    expect(allowOrPending(['prod-two', 'prod-qa'], names)).toEqual(
      allowOrPending(['prod-qa', 'prod-two'], names),
    );
    expect(allowOrPending(['prod-free', 'prod-qa'], names)).toEqual(
      allowOrPending(['prod-qa', 'prod-free'], names),
    );
  });
});
