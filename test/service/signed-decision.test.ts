// The decision the pipe verifies, as the service signs it: made of the facts that survived
// the audit, with a gate token only on an allow, whatever grant was checked before the
// policy (issue 14): a deny or a pending decision must never carry credentials' key.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildDecisionFacts } from '../../src/decision/build-decision-facts.ts';
import type { Verdict } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { openGateToken } from '../../src/gate/open-gate-token.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { sha256Base64url } from '../../src/lib/sha256.ts';
import { decisionIdOf } from '../../src/service/decision-log.ts';
import { gateGrantFor, gateKeyOf } from '../../src/service/gate-grant.ts';
import { type Signing, signedDecision } from '../../src/service/signed-decision.ts';
import { NOW } from '../events/fixtures.ts';
import { CLAIMS, facts, gateWorld } from './gate-fixture.ts';

const TTL_MS = 120_000;

async function signingWorld() {
  const { run, issuer, event } = await gateWorld();
  const signer = await createDecisionSigner((await generateServiceKey()).privateJwk);
  const to: Signing = {
    event,
    requestDigest: sha256Base64url(Buffer.from('the request')),
    keyThumbprint: sha256Base64url(Buffer.from('the run key')),
    policyDigest: 'sha256:policies',
    ports: { signer, decisionTtlMs: TTL_MS },
  };
  const key = await gateKeyOf(event, issuer);
  if (!key.ok || key.key === undefined) throw new Error('the request lost its gate key');
  const granted = gateGrantFor(key.key, issuer, { event, claims: CLAIMS, facts: facts('production') });
  if (!granted.ok) throw new Error(granted.problem);
  const factsOf = (verdict: Verdict) =>
    buildDecisionFacts({
      event,
      claims: CLAIMS,
      stepFacts: facts('production'),
      result: {
        verdict,
        determining: ['prod-deploy'],
        reasons: [`${verdict} by policy prod-deploy`],
        ...(verdict === 'pending' ? { approvers: ['release-managers'] } : {}),
      },
      policyDigest: to.policyDigest,
      decidedAt: NOW,
    });
  return { run, to, grant: granted.grant, factsOf };
}

describe('signedDecision', () => {
  it('an allow carries the gate token, sealed to this run and bound to this decision', async () => {
    const { run, to, grant, factsOf } = await signingWorld();
    const now = NOW.getTime();
    const { decision, jws } = await signedDecision(to, factsOf('allow'), { now, grant });
    expect(decision.decisionId).toBe(decisionIdOf(to.event.id));
    expect(decision.gateTokenJwe).toBeDefined();
    const opened = await openGateToken(decision, run.privateKey, now);
    expect(decodeJwt(opened.token)).toMatchObject({ jti: decision.decisionId, environment: 'production' });
    // What is signed is exactly the decision returned.
    expect(decodeJwt(jws)).toEqual(JSON.parse(JSON.stringify(decision)));
  });

  it.each(['deny', 'pending'] as const)(
    'a %s carries no gate token, though a grant was ready',
    async (verdict) => {
      const { to, grant, factsOf } = await signingWorld();
      const { decision, jws } = await signedDecision(to, factsOf(verdict), { now: NOW.getTime(), grant });
      expect(decision.verdict).toBe(verdict);
      expect(decision).not.toHaveProperty('gateTokenJwe');
      expect(decodeJwt(jws)).not.toHaveProperty('gateTokenJwe');
    },
  );

  it('binds the request, expires a TTL after it is made, and carries the audit leaf only when there is one', async () => {
    const { to, factsOf } = await signingWorld();
    const now = NOW.getTime();
    const leaf = { trail: 'trail-1', index: 7 };
    const audited = await signedDecision(to, factsOf('deny'), { now, auditLeaf: leaf });
    expect(audited.decision).toMatchObject({
      requestId: to.event.id,
      requestDigest: to.requestDigest,
      requestKeyThumbprint: to.keyThumbprint,
      nonce: to.event.data.nonce,
      policy: { ids: ['prod-deploy'], digest: 'sha256:policies' },
      reasons: ['deny by policy prod-deploy'],
      expiresAt: new Date(now + TTL_MS).toISOString(),
      auditLeaf: leaf,
    });
    const unaudited = await signedDecision(to, factsOf('deny'), { now });
    expect(unaudited.decision).not.toHaveProperty('auditLeaf');
  });
});
