import { createHash } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createRequestSigner, REQUEST_TYP } from '../../src/events/request-signing.ts';
import { verifyRequest } from '../../src/events/request-verifying.ts';
import { b64json, rawSign, requestEvent, signedRun, tamperPayload } from './fixtures.ts';

async function attackerKey(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

describe('request signing (RFC 7515 compact JWS)', () => {
  it('round-trips: the verifier returns the event, its digest and the key thumbprint', async () => {
    const { signer, event, signed } = await signedRun();
    const verified = await verifyRequest(signed.jws);
    expect(verified).toEqual({
      ok: true,
      event,
      requestDigest: signed.requestDigest,
      keyThumbprint: signer.keyThumbprint,
    });
    expect(signed.requestId).toBe(event.id);
    // The digest is over the exact payload octets, computed independently here.
    const payload = Buffer.from(signed.jws.split('.')[1] ?? '', 'base64url');
    expect(signed.requestDigest).toBe(createHash('sha256').update(payload).digest('base64url'));
    if (verified.ok) expect(Object.isFrozen(verified.event.data)).toBe(true);
  });

  it('puts only the public key in the header, with alg and typ', async () => {
    const { signer, signed } = await signedRun();
    const header = decodeProtectedHeader(signed.jws);
    expect(header).toEqual({ alg: 'ES256', typ: REQUEST_TYP, jwk: signer.publicJwk });
    expect(Object.keys(header.jwk ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });

  it('uses a fresh key per run', async () => {
    const [a, b] = await Promise.all([createRequestSigner(), createRequestSigner()]);
    expect(a.keyThumbprint).not.toBe(b.keyThumbprint);
    expect(a.keyThumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses an event modified after signing', async () => {
    const { signed } = await signedRun();
    const tampered = tamperPayload(signed.jws, (event) => {
      (event.data as { environment: string }).environment = 'staging';
      event.subject = 'deploy/staging';
    });
    expect(await verifyRequest(tampered)).toMatchObject({ ok: false, reason: 'signature' });
  });

  it('refuses a header jwk that carries a private key', async () => {
    const { privateJwk } = await attackerKey();
    const jws = await rawSign(
      requestEvent(),
      { alg: 'ES256', typ: REQUEST_TYP, jwk: privateJwk },
      privateJwk,
    );
    const result = await verifyRequest(jws);
    expect(result).toMatchObject({ ok: false, reason: 'signature' });
    expect(result.ok ? '' : result.message).toMatch(/private key material/);
    expect(result.ok ? '' : result.message).not.toContain(privateJwk.d);
  });

  it('refuses HS256 keyed with the embedded public key and alg none', async () => {
    const { signed } = await signedRun();
    const [, payload] = signed.jws.split('.');
    const header = decodeProtectedHeader(signed.jws);
    const none = `${b64json({ ...header, alg: 'none' })}.${payload}.`;
    expect(await verifyRequest(none)).toMatchObject({ ok: false, reason: 'signature' });
    const secret = Buffer.from(JSON.stringify(header.jwk)).toString('base64url');
    const hs = await rawSign(
      requestEvent(),
      { alg: 'HS256', typ: REQUEST_TYP, jwk: header.jwk },
      { kty: 'oct', k: secret },
    );
    expect(await verifyRequest(hs)).toMatchObject({ ok: false, reason: 'signature' });
  });

  it('refuses another typ, another event type and non-requests', async () => {
    const { privateJwk, publicJwk } = await attackerKey();
    const header = { alg: 'ES256', jwk: publicJwk };
    const decisionTyp = await rawSign(
      requestEvent(),
      { ...header, typ: 'application/pulsar-gate.decision+jws' },
      privateJwk,
    );
    expect(await verifyRequest(decisionTyp)).toMatchObject({ ok: false, reason: 'wrong-type' });
    const otherType = await rawSign(
      { ...requestEvent(), type: 'dev.other' },
      { ...header, typ: REQUEST_TYP },
      privateJwk,
    );
    expect(await verifyRequest(otherType)).toMatchObject({ ok: false, reason: 'wrong-type' });
    const array = await rawSign([1, 2], { ...header, typ: REQUEST_TYP }, privateJwk);
    expect(await verifyRequest(array)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['a missing nonce', (e: Record<string, unknown>) => delete (e.data as Record<string, unknown>).nonce],
    [
      'a secret in the credentials',
      (e: Record<string, unknown>) => Object.assign(e.data as object, { credentials: { sessionToken: 'x' } }),
    ],
    [
      'a source that does not match the pipeline',
      (e: Record<string, unknown>) => Object.assign(e, { source: '/bitbucket/evil/web' }),
    ],
    [
      'a subject that does not match the data',
      (e: Record<string, unknown>) => Object.assign(e, { subject: 'deploy/staging' }),
    ],
    ['a wrong specversion', (e: Record<string, unknown>) => Object.assign(e, { specversion: '0.3' })],
    ['a non-RFC 3339 time', (e: Record<string, unknown>) => Object.assign(e, { time: 'May 1 2030' })],
    ['an unknown attribute', (e: Record<string, unknown>) => Object.assign(e, { extra: 1 })],
  ])('refuses a validly signed event with %s', async (_name, change) => {
    const { privateJwk, publicJwk } = await attackerKey();
    const event = structuredClone(requestEvent()) as unknown as Record<string, unknown>;
    change(event);
    const jws = await rawSign(event, { alg: 'ES256', typ: REQUEST_TYP, jwk: publicJwk }, privateJwk);
    const result = await verifyRequest(jws);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-event' });
    expect(result.ok ? '' : result.message).not.toContain(IDENTITY_SAFE);
  });

  it('refuses oversized input before any crypto, and garbage', async () => {
    const { signed } = await signedRun();
    expect(await verifyRequest(signed.jws, { maxBytes: 100 })).toMatchObject({
      ok: false,
      reason: 'oversized',
    });
    expect(await verifyRequest('x'.repeat(70_000))).toMatchObject({ ok: false, reason: 'oversized' });
    for (const garbage of [
      '',
      'hello',
      'a.b',
      '!!.b.c',
      `${b64json('str')}.e30.AA`,
      42 as unknown as string,
    ]) {
      expect(await verifyRequest(garbage)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });
});

/** A token value must never be quoted by a rejection message. */
const IDENTITY_SAFE = 'eyJhbGciOiJSUzI1NiJ9';
