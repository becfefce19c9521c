import { beforeAll, describe, expect, it } from 'vitest';
import { verifyDecision } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { generateServiceKey, publicJwksOf } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import {
  type DecisionWorld,
  decisionFor,
  decisionWorld,
  expectationFor,
  rawSign,
  rejected,
  type SignedRun,
  signedRun,
} from './fixtures.ts';

let world: DecisionWorld;
let run: SignedRun;

beforeAll(async () => {
  world = await decisionWorld();
  run = await signedRun();
});

describe('verifyDecision accepts', () => {
  it.each(['allow', 'deny', 'pending'] as const)(
    'a signed %s for this request (a deny is not a forgery)',
    async (verdict) => {
      const jws = await world.signer.sign(decisionFor(run, { verdict }));
      const result = await verifyDecision(jws, world.trusted, expectationFor(run));
      expect(result).toEqual({ ok: true, decision: decisionFor(run, { verdict }), kid: world.signer.kid });
      if (result.ok) expect(Object.isFrozen(result.decision.policy)).toBe(true);
    },
  );

  it('a decision from either key while keys rotate', async () => {
    const old = await generateServiceKey({ alg: 'EdDSA' });
    const next = await generateServiceKey({ alg: 'ES256' });
    const both = await parseTrustedKeys(publicJwksOf([old.privateJwk, next.privateJwk]), 'rotation');
    for (const key of [old.privateJwk, next.privateJwk]) {
      const jws = await (await createDecisionSigner(key)).sign(decisionFor(run));
      expect(await verifyDecision(jws, both, expectationFor(run))).toMatchObject({ ok: true, kid: key.kid });
    }
  });

  it('a short-form typ (RFC 7515 §4.1.9) and expiry within the clock tolerance', async () => {
    const jws = await rawSign(
      decisionFor(run),
      { alg: 'ES256', kid: world.signer.kid, typ: 'pulsar-gate.decision+jws' },
      world.privateJwk,
    );
    const late = expectationFor(run, new Date('2030-05-01T12:05:20.000Z'));
    expect(await verifyDecision(jws, world.trusted, late)).toMatchObject({ ok: true });
    expect(rejected(await verifyDecision(jws, world.trusted, { ...late, clockToleranceSeconds: 0 }))).toBe(
      'expired',
    );
  });
});

describe('verifyDecision binds a decision to this run (P1, P2)', () => {
  it('a valid decision for another request id', async () => {
    const other = await signedRun();
    const jws = await world.signer.sign(decisionFor(other));
    expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('other-request');
  });

  it('a decision for another request body (digest)', async () => {
    const jws = await world.signer.sign(decisionFor(run, { requestDigest: 'A'.repeat(43) }));
    expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('digest-mismatch');
  });

  it('a replayed older valid decision', async () => {
    const earlier = await signedRun();
    const replay = await world.signer.sign(decisionFor(earlier));
    expect(rejected(await verifyDecision(replay, world.trusted, expectationFor(run)))).toBe('other-request');
    // Even with id and digest lined up, the older run's nonce alone refuses it.
    const oldNonce = await world.signer.sign(decisionFor(run, { nonce: earlier.event.data.nonce }));
    expect(rejected(await verifyDecision(oldNonce, world.trusted, expectationFor(run)))).toBe(
      'nonce-mismatch',
    );
  });

  it('a decision bound to another request signing key', async () => {
    const other = await signedRun();
    const jws = await world.signer.sign(
      decisionFor(run, { requestKeyThumbprint: other.signed.keyThumbprint }),
    );
    expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('key-mismatch');
  });

  it('an expired and a not-yet-valid decision', async () => {
    const expired = await world.signer.sign(
      decisionFor(run, { issuedAt: '2030-05-01T11:50:00Z', expiresAt: '2030-05-01T11:55:00Z' }),
    );
    expect(rejected(await verifyDecision(expired, world.trusted, expectationFor(run)))).toBe('expired');
    const future = await world.signer.sign(
      decisionFor(run, { issuedAt: '2030-05-01T12:05:00Z', expiresAt: '2030-05-01T12:10:00Z' }),
    );
    expect(rejected(await verifyDecision(future, world.trusted, expectationFor(run)))).toBe('not-yet-valid');
  });
});
