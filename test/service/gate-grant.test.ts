// The gate token's grant (issue 14), as decide-request uses it: the run's key imported once
// before any look-up, the token's facts checked once before the policy, signed only for an allow.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildRequestEvent } from '../../src/events/request.ts';
import { openGateToken } from '../../src/gate/open-gate-token.ts';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { gateGrantFor, gateKeyOf, signGateGrant } from '../../src/service/gate-grant.ts';
import { NOW, requestData } from '../events/fixtures.ts';
import { CLAIMS, facts, gateWorld } from './gate-fixture.ts';

describe('gate grants', () => {
  it('step mode: no key, no grant; gate mode without GATE_ISSUER: the reason', async () => {
    const { event, issuer } = await gateWorld();
    const step = buildRequestEvent({ now: NOW, data: requestData() });
    expect(await gateKeyOf(step, issuer)).toEqual({ ok: true });
    const refused = await gateKeyOf(event, undefined);
    expect(refused).toMatchObject({ ok: false, problem: expect.stringMatching(/not a gate issuer/) });
  });

  it('a reply key that is no P-256 point is refused before anything is looked up', async () => {
    const { event, issuer } = await gateWorld();
    const key = event.data.replyEncryptionKey;
    if (key === undefined) throw new Error('the request lost its key');
    const offCurve = buildRequestEvent({
      now: NOW,
      data: { ...requestData(), replyEncryptionKey: { ...key, y: key.x } },
    });
    expect(await gateKeyOf(offCurve, issuer)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/reply encryption key is refused/),
    });
  });

  it('facts AWS would refuse as a session tag: no grant, the reason', async () => {
    const { event, issuer } = await gateWorld();
    const key = await gateKeyOf(event, issuer);
    if (!key.ok || key.key === undefined) throw new Error('no key');
    const granted = gateGrantFor(key.key, issuer, { event, claims: CLAIMS, facts: facts('prod{uction}') });
    expect(granted).toMatchObject({ ok: false, problem: expect.stringMatching(/no gate token can be made/) });
  });

  it('an allow signs the grant: only the run opens it, for this decision and the verified facts', async () => {
    const { event, issuer, run } = await gateWorld();
    const key = await gateKeyOf(event, issuer);
    if (!key.ok || key.key === undefined) throw new Error('no key');
    const granted = gateGrantFor(key.key, issuer, { event, claims: CLAIMS, facts: facts('production') });
    if (!granted.ok) throw new Error(granted.problem);
    const jwe = await signGateGrant(granted.grant, 'r:decision', Date.now());
    const opened = await openGateToken(
      { ...decisionLike(event.id), decisionId: 'r:decision', gateTokenJwe: jwe },
      run.privateKey,
      Date.now(),
    );
    expect(decodeJwt(opened.token)).toMatchObject({
      jti: 'r:decision',
      sub: 'repo:22222222-2222-4222-8222-222222222222:env:production',
      environment: 'production',
      action: 'deploy',
    });
    const other = await generateRunEncryptionKey();
    await expect(
      openGateToken(
        { ...decisionLike(event.id), decisionId: 'r:decision', gateTokenJwe: jwe },
        other.privateKey,
        Date.now(),
      ),
    ).rejects.toMatchObject({ code: 'GATE_TOKEN_INVALID' });
  });
});

function decisionLike(requestId: string) {
  return {
    requestId,
    requestDigest: 'd',
    requestKeyThumbprint: 't',
    nonce: 'n',
    verdict: 'allow' as const,
    reasons: [],
    policy: { ids: ['p'], digest: 'x' },
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  };
}
