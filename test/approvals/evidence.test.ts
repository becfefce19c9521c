import { describe, expect, it } from 'vitest';
import type { DecisionEntry } from '../../src/audit/entry.ts';
import { collectEvidence } from '../../src/audit/evidence.ts';
import { deploymentMarkdown } from '../../src/audit/evidence-markdown.ts';
import type { ApprovalAct } from '../../src/decision/approval-facts.ts';
import { sampleRecord } from '../audit/trail-fixture.ts';

const act = (sub: string, comment: string): ApprovalAct => ({
  kind: 'approve',
  approver: {
    iss: 'https://idp.example',
    sub,
    name: sub.toUpperCase(),
    groups: ['release-managers'],
    bitbucket: `{${sub}}`,
  },
  comment,
  at: '2026-11-24T12:05:00.000Z',
});

const entry = (seq: number, record: DecisionEntry['record']): DecisionEntry => ({
  v: 1,
  trail: 't',
  seq,
  prev: 'p',
  at: record.decidedAt,
  type: 'decision',
  record,
});

describe('audit export: who approved each deployment (issue 16)', () => {
  it('the published decision lists its approvers, verified, with their comments', () => {
    const pending = sampleRecord(1, { verdict: 'pending', approvers: ['release-managers'] });
    const allowed = {
      ...pending,
      verdict: 'allow' as const,
      acts: [act('alice', 'plan ok'), act('bob', '')],
    };
    const [evidence] = collectEvidence(
      [entry(1, pending), entry(2, allowed)],
      [{ trail: 't', entries: 3, checkpoints: 1, lastCheckpoint: 3, uncovered: 0 }],
      {
        from: new Date(0),
        to: new Date('2100-01-01'),
      },
      new Map(),
    );
    if (evidence === undefined) throw new Error('no evidence for the allowed deployment');
    expect(evidence.approvedBy.map((a) => a.approver.sub)).toEqual(['alice', 'bob']);
    expect(evidence.trail.replaced).toEqual([1]);
    const text = deploymentMarkdown(evidence);
    expect(text).toContain(
      '| Approved by | approved by ALICE (alice; release-managers) at 2026-11-24T12:05:00.000Z: plan ok; approved by BOB (bob; release-managers) at 2026-11-24T12:05:00.000Z |',
    );
  });
});
