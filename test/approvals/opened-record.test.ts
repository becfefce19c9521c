// The record that opens a pending request to approvers (opened-record.ts): its binding comes
// from the pending decision this replica signed, never from anything else.
import { describe, expect, it } from 'vitest';
import { openedRecord } from '../../src/approvals/opened-record.ts';
import type { DecisionFacts } from '../../src/decision/decision-facts.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { sampleRecord } from '../audit/trail-fixture.ts';

const NOW = Date.UTC(2026, 11, 2, 3, 0, 0);
const WINDOW = 600_000;
const approval = [{ policy: 'prod-provision', groups: ['release-managers'], count: 2 }];
const facts: DecisionFacts = {
  ...sampleRecord(7, { verdict: 'pending', approvers: ['release-managers'], approval }),
};

async function pendingJws(): Promise<string> {
  const signer = await createDecisionSigner((await generateServiceKey()).privateJwk);
  return signer.sign({
    requestId: facts.requestId,
    requestDigest: 'd'.repeat(43),
    requestKeyThumbprint: 't'.repeat(43),
    nonce: 'n'.repeat(43),
    verdict: 'pending',
    reasons: ['policy prod-provision allows this once approved by release-managers'],
    policy: { ids: ['prod-provision'], digest: facts.policyDigest },
    issuedAt: new Date(NOW).toISOString(),
    expiresAt: new Date(NOW + 300_000).toISOString(),
    approvers: ['release-managers'],
  });
}

describe('openedRecord', () => {
  it("binds the request as the signed decision does, with the window from now and the step's reply topic", async () => {
    const opened = openedRecord(facts, await pendingJws(), { replyTopic: 'persistent://t/n/r' }, NOW, WINDOW);
    expect(opened).toMatchObject({
      kind: 'opened',
      requestId: facts.requestId,
      requestDigest: 'd'.repeat(43),
      keyThumbprint: 't'.repeat(43),
      nonce: 'n'.repeat(43),
      stepUuid: '{step-7}',
      replyTopic: 'persistent://t/n/r',
      openedAt: new Date(NOW).toISOString(),
      expiresAt: new Date(NOW + WINDOW).toISOString(),
      approval,
    });
    expect(opened?.replyEncryptionKey).toBeUndefined();
  });

  it('opens nothing for a redelivery without requirements, an unverified step, or a JWS that is no decision', async () => {
    const jws = await pendingJws();
    const at = { replyTopic: 'persistent://t/n/r' };
    const { approval: _a, ...redelivered } = facts;
    expect(openedRecord(redelivered, jws, at, NOW, WINDOW)).toBeUndefined();
    expect(openedRecord({ ...facts, verified: null }, jws, at, NOW, WINDOW)).toBeUndefined();
    const notADecision = `${jws.split('.')[0]}.${Buffer.from('{"verdict":"allow"}').toString('base64url')}.x`;
    expect(openedRecord(facts, notADecision, at, NOW, WINDOW)).toBeUndefined();
    expect(openedRecord(facts, 'not a jws', at, NOW, WINDOW)).toBeUndefined();
  });
});
