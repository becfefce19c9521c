import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECISION_TYP, verifyDecision } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { generateServiceKey, publicJwksOf } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import {
  b64json,
  type DecisionWorld,
  decisionFor,
  decisionWorld,
  expectationFor,
  rawSign,
  rejected,
  type SignedRun,
  signedRun,
  tamperPayload,
} from './fixtures.ts';

let world: DecisionWorld;
let run: SignedRun;

beforeAll(async () => {
  world = await decisionWorld();
  run = await signedRun();
});

describe('verifyDecision refuses forgeries (P1)', () => {
  it('a decision signed by a key not in DECISION_KEYS', async () => {
    const stranger = await generateServiceKey();
    const jws = await (await createDecisionSigner(stranger.privateJwk)).sign(decisionFor(run));
    expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('unknown-key');
  });

  it('a decision signed by a fresh key that spoofs the trusted kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const forger = { ...(await exportJWK(privateKey)), kid: world.signer.kid, alg: 'ES256' } satisfies JWK;
    const jws = await (await createDecisionSigner(forger)).sign(decisionFor(run));
    expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('signature');
  });

  it('a tampered payload (deny re-encoded as allow, signature kept)', async () => {
    const jws = await world.signer.sign(decisionFor(run, { verdict: 'deny' }));
    const tampered = tamperPayload(jws, (decision) => Object.assign(decision, { verdict: 'allow' }));
    expect(rejected(await verifyDecision(tampered, world.trusted, expectationFor(run)))).toBe('signature');
  });

  it('a JWS with the wrong typ, even signed by the trusted key', async () => {
    for (const typ of ['application/pulsar-gate.request+jws', 'JWT', undefined]) {
      const jws = await rawSign(
        decisionFor(run),
        { alg: 'ES256', kid: world.signer.kid, typ },
        world.privateJwk,
      );
      expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('wrong-type');
    }
  });

  it('alg none and HS256 keyed with the public key (algorithm confusion)', async () => {
    const header = { kid: world.signer.kid, typ: DECISION_TYP };
    const none = `${b64json({ ...header, alg: 'none' })}.${b64json(decisionFor(run))}.`;
    expect(rejected(await verifyDecision(none, world.trusted, expectationFor(run)))).toBe(
      'unsupported-algorithm',
    );
    const [publicJwk] = publicJwksOf([world.privateJwk]).keys;
    for (const secret of [JSON.stringify(publicJwk), `${publicJwk?.x}${publicJwk?.y}`]) {
      const hmac = { kty: 'oct', k: Buffer.from(secret).toString('base64url') };
      const forged = await rawSign(decisionFor(run), { ...header, alg: 'HS256' }, hmac);
      expect(rejected(await verifyDecision(forged, world.trusted, expectationFor(run)))).toBe(
        'unsupported-algorithm',
      );
    }
  });

  it('RS256 presented for a key pinned to PS256', async () => {
    const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'rsa-1' };
    const pss = await parseTrustedKeys(
      { keys: [{ ...(await exportJWK(publicKey)), kid: 'rsa-1', alg: 'PS256' }] },
      'test',
    );
    const jws = await rawSign(decisionFor(run), { alg: 'RS256', kid: 'rsa-1', typ: DECISION_TYP }, jwk);
    const result = await verifyDecision(jws, pss, expectationFor(run));
    expect(rejected(result)).toBe('signature');
    expect(result.ok ? '' : result.message).toMatch(/alg RS256 does not match key rsa-1 \(PS256\)/);
  });

  it('a signed payload that is not a decision, and a header without kid or with crit', async () => {
    const header = { alg: 'ES256', kid: world.signer.kid, typ: DECISION_TYP };
    for (const payload of [
      { ...decisionFor(run), verdict: 'maybe' },
      { ...decisionFor(run), extra: 1 },
      'allow',
    ]) {
      const jws = await rawSign(payload, header, world.privateJwk);
      expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('malformed');
    }
    const noKid = await rawSign(decisionFor(run), { ...header, kid: undefined }, world.privateJwk);
    expect(rejected(await verifyDecision(noKid, world.trusted, expectationFor(run)))).toBe('malformed');
    const crit = `${b64json({ ...header, crit: ['exp'], exp: 1 })}.${b64json(decisionFor(run))}.AAAA`;
    expect(rejected(await verifyDecision(crit, world.trusted, expectationFor(run)))).toBe('malformed');
  });

  it('oversized input before any crypto, and garbage', async () => {
    const big = await world.signer.sign(
      decisionFor(run, { reasons: Array.from({ length: 40 }, () => 'r'.repeat(1000)) }),
    );
    expect(rejected(await verifyDecision(big, world.trusted, expectationFor(run)))).toBe('oversized');
    const small = await world.signer.sign(decisionFor(run));
    expect(
      rejected(await verifyDecision(small, world.trusted, { ...expectationFor(run), maxBytes: 64 })),
    ).toBe('oversized');
    for (const garbage of [
      '',
      'garbage',
      'a.b',
      '{"verdict":"allow"}',
      `${b64json(['x'])}.e30.AA`,
      null as unknown as string,
    ]) {
      expect(rejected(await verifyDecision(garbage, world.trusted, expectationFor(run)))).toBe('malformed');
    }
  });

  it('an unknown kid without echoing control characters into the step log', async () => {
    const header = { alg: 'ES256', kid: 'evil\n✔ Allowed', typ: DECISION_TYP };
    const jws = await rawSign(decisionFor(run), header, world.privateJwk);
    const result = await verifyDecision(jws, world.trusted, expectationFor(run));
    expect(rejected(result)).toBe('unknown-key');
  });
});
