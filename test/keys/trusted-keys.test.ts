import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';

let ec: { publicJwk: JWK; privateJwk: JWK };
let rsa: { publicJwk: JWK; privateJwk: JWK };
let ed: JWK;

async function pair(alg: string): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

beforeAll(async () => {
  ec = await pair('ES256');
  rsa = await pair('RS256');
  ed = (await pair('EdDSA')).publicJwk;
});

function refusal(json: unknown): GateError {
  try {
    parseTrustedKeys(json, 'test origin');
  } catch (error) {
    if (error instanceof GateError) return error;
    throw error;
  }
  throw new Error('expected a GateError');
}

describe('parseTrustedKeys', () => {
  it('imports every key once and exposes them by kid, read-only', () => {
    const trusted = parseTrustedKeys(
      {
        keys: [
          { ...ec.publicJwk, kid: 'ec', alg: 'ES256', use: 'sig' },
          { ...rsa.publicJwk, kid: 'rsa', alg: 'PS256' },
          { ...ed, kid: 'ed', alg: 'EdDSA' },
        ],
      },
      'test',
    );
    expect(trusted.ids).toEqual(['ec', 'rsa', 'ed']);
    expect(trusted.keys.get('rsa')?.alg).toBe('PS256');
    expect(trusted.keys.get('ec')?.key.type).toBe('public');
    expect(trusted.keys.get('ed')?.key.asymmetricKeyType).toBe('ed25519');
    expect(Object.isFrozen(trusted)).toBe(true);
    expect(() => (trusted.keys as Map<string, unknown>).set('evil', {})).toThrow(TypeError);
    expect(() => (trusted.keys as Map<string, unknown>).delete('ec')).toThrow(TypeError);
    expect(trusted.keys.size).toBe(3);
  });

  it('refuses a private EC key without echoing the key material', () => {
    const error = refusal({ keys: [{ ...ec.privateJwk, kid: 'svc-1', alg: 'ES256' }] });
    expect(error.code).toBe('KEYS_INVALID');
    expect(error.message).toBe('DECISION_KEYS holds a private key (kid svc-1): publish only public keys');
    expect(error.message).not.toContain(ec.privateJwk.d);
    expect(JSON.stringify(error.details)).not.toContain(ec.privateJwk.d);
  });

  it.each(['p', 'q', 'dp', 'dq', 'qi', 'k'])('refuses a key carrying the private member %s', (member) => {
    const error = refusal({
      keys: [{ ...rsa.publicJwk, kid: 'r', alg: 'RS256', [member]: 'c2VjcmV0LW1hdGVyaWFs' }],
    });
    expect(error.message).toMatch(/private key/);
    expect(error.message).not.toContain('c2VjcmV0LW1hdGVyaWFs');
  });

  it.each([
    ['no keys array', { kty: 'EC' }, /must be a JWKS/],
    ['an empty set', { keys: [] }, /no keys/],
    ['a non-object', 'keys', /must be a JWKS/],
    [
      'a key without kid',
      { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', alg: 'ES256' }] },
      /needs a "kid"/,
    ],
    [
      'an HMAC alg',
      { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', alg: 'HS256', kid: 'k' }] },
      /needs "alg"/,
    ],
    ['a missing alg', { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'k' }] }, /needs "alg"/],
  ])('refuses %s', (_name, json, message) => {
    const error = refusal(json);
    expect(error.code).toBe('KEYS_INVALID');
    expect(error.message).toMatch(message);
  });

  it('refuses duplicate kids, mismatched kty/crv, encryption keys, bad points and short RSA', () => {
    const key = { ...ec.publicJwk, kid: 'k', alg: 'ES256' };
    expect(refusal({ keys: [key, key] }).message).toMatch(/appears twice/);
    expect(refusal({ keys: [{ ...key, alg: 'ES384' }] }).message).toMatch(/not an EC P-384 key/);
    expect(refusal({ keys: [{ ...ed, kid: 'k', alg: 'ES256' }] }).message).toMatch(/not an EC P-256 key/);
    expect(refusal({ keys: [{ ...ec.publicJwk, kid: 'k', alg: 'EdDSA' }] }).message).toMatch(
      /not an OKP Ed25519/,
    );
    expect(refusal({ keys: [{ ...key, use: 'enc' }] }).message).toMatch(/not a signature verification key/);
    expect(refusal({ keys: [{ ...key, x: key.y }] }).message).toMatch(/not a valid ES256 public key/);
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(refusal({ keys: [{ ...short, kid: 'k', alg: 'RS256' }] }).message).toMatch(/shorter than 2048/);
  });
});
