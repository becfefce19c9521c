import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/entry.ts';
import { buildDecisionFacts } from '../../src/decision/build-decision-facts.ts';
import { GateError } from '../../src/errors.ts';
import { AUDIT_UNAVAILABLE_REASON, auditedFacts } from '../../src/service/audit-gate.ts';
import { decisionLogEntry } from '../../src/service/decision-log.ts';
import type { AuditPort } from '../../src/service/ports.ts';
import { NOW, requestEvent } from '../events/fixtures.ts';

const allow = buildDecisionFacts({
  event: requestEvent(),
  claims: undefined,
  result: { verdict: 'allow', determining: ['prod-deploy'], reasons: [] },
  policyDigest: 'digest-1',
  decidedAt: NOW,
});

/** An audit port whose durable writes fail as an unreachable mirror does. */
function port(mirrorsAnswer: boolean) {
  const written: Array<{ record: AuditRecord; durable: boolean }> = [];
  const audit: AuditPort = {
    audited: (environment) => environment === 'production',
    write: async (record, durable) => {
      written.push({ record, durable });
      if (durable && !mirrorsAnswer)
        throw new GateError('AUDIT_UNAVAILABLE', 'mirror timed out', { details: { seq: '7' } });
      return { trail: 'trail-1', index: written.length - 1 };
    },
  };
  return { audit, written };
}

describe('auditedFacts: the audit record is the decision facts', () => {
  it('an audited allow waits for the mirrors and is published as recorded', async () => {
    const { audit, written } = port(true);
    const published = await auditedFacts(audit, allow);
    expect(published.facts).toBe(allow);
    expect(published.auditLeaf).toEqual({ trail: 'trail-1', index: 0 });
    expect(written).toEqual([{ record: allow, durable: true }]);
  });

  it('when the mirrors do not answer, the deny that replaces the allow is recorded and published', async () => {
    const { audit, written } = port(false);
    const { facts: published, auditLeaf } = await auditedFacts(audit, allow);
    expect(published).toMatchObject({ verdict: 'deny', reasons: [AUDIT_UNAVAILABLE_REASON], policies: [] });
    expect(published.asked).toBe(allow.asked);
    // The receipt names the deny's record, not the allow that was never published.
    expect(auditLeaf).toEqual({ trail: 'trail-1', index: 1 });
    expect(written.map((w) => [w.record.verdict, w.durable, w.record.replaces])).toEqual([
      ['allow', true, undefined],
      ['deny', false, 7],
    ]);
  });
});

describe('decisionLogEntry: the log line is the same facts', () => {
  it('adds the decision id, whether it was handed out again, and the time it took', () => {
    const entry = decisionLogEntry(allow, { redelivered: true, totalMs: 12.345 });
    expect(entry).toEqual({
      ...allow,
      decisionId: `${allow.requestId}:redelivery`,
      redelivered: true,
      timings: { totalMs: 12.3 },
    });
  });
});
