import { describe, expect, it } from 'vitest';
import { policyGroups } from '../../src/approvals/approver-token.ts';
import { type Tallied, tally } from '../../src/approvals/tally.ts';
import type { ApprovalAct, VerifiedApprover } from '../../src/decision/approval-facts.ts';

const T0 = Date.parse('2026-11-24T12:00:00Z');
const REQUESTER = '{77aa88bb-99cc-4ddd-8eee-ff0011223344}';

const opened = (count = 2): Tallied => ({
  expiresAt: new Date(T0 + 60_000).toISOString(),
  approval: [{ policy: 'p', groups: ['release-managers'], count }],
  facts: { verified: { pipeline: { triggeredBy: REQUESTER, triggeredByAccountId: '5b10a2844c' } } },
});

const person = (sub: string, over: Partial<VerifiedApprover> = {}): VerifiedApprover => ({
  iss: 'https://idp.example',
  sub,
  name: sub,
  groups: ['release-managers'],
  bitbucket: `{${sub}}`,
  ...over,
});
const act = (approver: VerifiedApprover, at = T0, kind: 'approve' | 'reject' = 'approve'): ApprovalAct => ({
  kind,
  approver,
  comment: 'c',
  at: new Date(at).toISOString(),
});

describe('tally: every replica counts the same acts the same way', () => {
  it('counts distinct people (issuer + subject), not tokens or display names', () => {
    const standing = tally(opened(), [act(person('a')), act(person('a', { name: 'A again' }))], T0);
    expect(standing).toMatchObject({
      state: 'pending',
      progress: [{ approvers: [{ approver: { sub: 'a' } }] }],
    });
    // The same subject at another issuer is another person.
    expect(tally(opened(), [act(person('a')), act(person('a', { iss: 'https://other' }))], T0).state).toBe(
      'approved',
    );
  });

  it('never counts the requester (uuid or account id, any case), nor acts after the window, nor other groups', () => {
    const acts = [
      act(person('x', { bitbucket: REQUESTER.toUpperCase() })),
      act(person('y', { bitbucket: '5b10a2844c' })),
      act(person('late'), T0 + 61_000),
      act(person('dev', { groups: ['developers'] })),
      act(person('b')),
    ];
    const standing = tally(opened(), acts, T0);
    expect(
      standing.state === 'pending' && standing.progress[0]?.approvers.map((a) => a.approver.sub),
    ).toEqual(['b']);
    expect(tally(opened(), acts, T0 + 61_000).state).toBe('expired');
  });

  it('a rejection by someone who may approve wins over approvals; by anyone else it is nothing', () => {
    expect(tally(opened(1), [act(person('dev', { groups: ['developers'] }), T0, 'reject')], T0).state).toBe(
      'pending',
    );
    expect(tally(opened(1), [act(person('c'), T0, 'reject'), act(person('a'))], T0)).toMatchObject({
      state: 'rejected',
      act: { approver: { sub: 'c' } },
    });
  });
});

describe('groups.json "approvers": IdP groups → policy groups', () => {
  it('a mapped policy group is reached only through its IdP groups; unmapped names match themselves', () => {
    const map = new Map([['release-managers', ['okta-rm']]]);
    expect(policyGroups(['okta-rm', 'qa'], map)).toEqual(['qa', 'release-managers']);
    // Someone who names themselves "release-managers" at the IdP is not one, once the group is mapped.
    expect(policyGroups(['release-managers'], map)).toEqual([]);
  });
});
