import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { type JwsAlgorithm, signCompact, verifyCompact } from '../../src/events/jws.ts';
import { jwkThumbprint } from '../../src/keys/jwk-thumbprint.ts';
import { DECISION_ALGORITHMS } from '../../src/keys/trusted-keys.ts';

// jose is the reference implementation these must agree with, in both directions.
async function pair(alg: JwsAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const keys = await generateKeyPair(alg, {
    extractable: true,
    ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}),
  });
  return {
    privateKey: createPrivateKey({ key: await exportJWK(keys.privateKey), format: 'jwk' }),
    publicKey: createPublicKey({ key: await exportJWK(keys.publicKey), format: 'jwk' }),
  };
}

const payload = new TextEncoder().encode('{"verdict":"allow"}');
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('compact JWS over node:crypto (RFC 7515 §5)', () => {
  it.each(DECISION_ALGORITHMS)('%s: jose verifies what we sign, we verify what jose signs', async (alg) => {
    const { privateKey, publicKey } = await pair(alg);
    const ours = signCompact({ alg, typ: 't' }, payload, privateKey);
    const fromJose = await compactVerify(ours, publicKey, { algorithms: [alg] });
    expect(new TextDecoder().decode(fromJose.payload)).toBe('{"verdict":"allow"}');
    const theirs = await new CompactSign(payload).setProtectedHeader({ alg, kid: 'k' }).sign(privateKey);
    const verified = verifyCompact(theirs, publicKey, alg);
    expect(verified.ok && new TextDecoder().decode(verified.payload)).toBe('{"verdict":"allow"}');
    expect(verified.ok && verified.header.kid).toBe('k');
  });

  it('refuses a tampered header, payload or signature', async () => {
    const { privateKey, publicKey } = await pair('ES256');
    const [header, body, signature] = signCompact({ alg: 'ES256' }, payload, privateKey).split('.');
    const other = Buffer.from('{"verdict":"deny"}').toString('base64url');
    expect(
      verifyCompact(`${b64({ alg: 'ES256', kid: 'x' })}.${body}.${signature}`, publicKey, 'ES256'),
    ).toEqual({ ok: false, reason: 'signature' });
    expect(verifyCompact(`${header}.${other}.${signature}`, publicKey, 'ES256')).toEqual({
      ok: false,
      reason: 'signature',
    });
    const flipped = Buffer.from(signature ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(verifyCompact(`${header}.${body}.${flipped.toString('base64url')}`, publicKey, 'ES256').ok).toBe(
      false,
    );
  });

  it('lets the key, not the message, choose the algorithm (RFC 8725 §3.1)', async () => {
    const rsa = await pair('RS256');
    const signed = signCompact({ alg: 'RS256' }, payload, rsa.privateKey);
    // The same RSA key expected as PS256: a header saying RS256 is not what the key is for.
    expect(verifyCompact(signed, rsa.publicKey, 'PS256')).toEqual({ ok: false, reason: 'malformed' });
    // A header that claims the expected alg over a signature of another scheme fails the crypto.
    const [, body, signature] = signed.split('.');
    expect(verifyCompact(`${b64({ alg: 'PS256' })}.${body}.${signature}`, rsa.publicKey, 'PS256').ok).toBe(
      false,
    );
    // An EC key handed in for an EdDSA expectation is refused before any verify.
    const ec = await pair('ES256');
    const es = signCompact({ alg: 'ES256' }, payload, ec.privateKey);
    expect(verifyCompact(es.replace(/^[^.]+/, b64({ alg: 'EdDSA' })), ec.publicKey, 'EdDSA')).toEqual({
      ok: false,
      reason: 'signature',
    });
    // P-384 key for ES256.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(verifyCompact(es, p384, 'ES256')).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses none, crit, b64 and a private key where a public one belongs', async () => {
    const { privateKey, publicKey } = await pair('ES256');
    const [, body] = signCompact({ alg: 'ES256' }, payload, privateKey).split('.');
    expect(verifyCompact(`${b64({ alg: 'none' })}.${body}.`, publicKey, 'ES256').ok).toBe(false);
    // Properly signed, yet asking for an extension we do not implement (RFC 7515 §4.1.11).
    for (const header of [
      { alg: 'ES256', crit: ['exp'], exp: 1 },
      { alg: 'ES256', b64: false, crit: ['b64'] },
      { alg: 'ES256', b64: true },
    ] as const) {
      expect(verifyCompact(signCompact(header, payload, privateKey), publicKey, 'ES256')).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
    const signed = signCompact({ alg: 'ES256' }, payload, privateKey);
    expect(verifyCompact(signed, privateKey, 'ES256')).toEqual({ ok: false, reason: 'signature' });
    expect(() => signCompact({ alg: 'ES256' }, payload, publicKey)).toThrow(/does not fit ES256/);
  });

  it('takes one spelling of a signature: exact R‖S length, canonical base64url', async () => {
    const { privateKey, publicKey } = await pair('ES256');
    const signed = signCompact({ alg: 'ES256' }, payload, privateKey);
    const [header, body, signature = ''] = signed.split('.');
    // The last character of 64 bytes in base64url carries 4 unused bits: set one.
    const last = signature.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    expect(Buffer.from(signature.slice(0, -1) + sibling, 'base64url')).toEqual(
      Buffer.from(signature, 'base64url'),
    );
    expect(
      verifyCompact(`${header}.${body}.${signature.slice(0, -1)}${sibling}`, publicKey, 'ES256').ok,
    ).toBe(false);
    const der = Buffer.concat([Buffer.from([0x30, 0x44]), Buffer.from(signature, 'base64url')]);
    expect(verifyCompact(`${header}.${body}.${der.toString('base64url')}`, publicKey, 'ES256').ok).toBe(
      false,
    );
    for (const garbage of [
      '',
      'a.b',
      'a.b.c.d',
      `${header}.${body}.`,
      `!!.${body}.${signature}`,
      `${b64([1])}.${body}.${signature}`,
    ])
      expect(verifyCompact(garbage, publicKey, 'ES256').ok).toBe(false);
  });
});

describe('compact JWS: every one-character change is refused, never thrown', () => {
  it.each(['ES256', 'EdDSA', 'PS256'] as const)('%s: 400 mutations of a valid JWS', async (alg) => {
    const { privateKey, publicKey } = await pair(alg);
    const signed = signCompact({ alg, kid: 'k', typ: 't' }, payload, privateKey);
    expect(verifyCompact(signed, publicKey, alg).ok).toBe(true);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    // A fixed linear congruential sequence: the same mutations on every run.
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const at = next(signed.length);
      const replacement = alphabet[next(alphabet.length)] ?? 'A';
      if (signed[at] === replacement) continue;
      const mutated = signed.slice(0, at) + replacement + signed.slice(at + 1);
      expect(verifyCompact(mutated, publicKey, alg).ok, `changed ${at} to ${replacement}`).toBe(false);
    }
  });
});

describe('JWK thumbprint (RFC 7638)', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const rfc = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(rfc)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    'agrees with jose for %s keys, ignoring optional members',
    async (alg) => {
      const jwk = await exportJWK((await generateKeyPair(alg, { extractable: true })).publicKey);
      expect(jwkThumbprint({ ...jwk, kid: 'k', use: 'sig' })).toBe(await calculateJwkThumbprint(jwk));
    },
  );

  it('refuses a key type it cannot bind and a missing member', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'x' })).toThrow(/key type/);
    expect(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'x' })).toThrow(/member y/);
  });
});
