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

async function refusal(json: unknown): Promise<GateError> {
  try {
    await parseTrustedKeys(json, 'test origin');
  } catch (error) {
    if (error instanceof GateError) return error;
    throw error;
  }
  throw new Error('expected a GateError');
}

describe('parseTrustedKeys', () => {
  it('imports every key once and exposes them by kid, read-only', async () => {
    const trusted = await parseTrustedKeys(
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
    expect(trusted.keys.get('ed')?.key.algorithm.name).toBe('Ed25519');
    expect(Object.isFrozen(trusted)).toBe(true);
    expect(() => (trusted.keys as Map<string, unknown>).set('evil', {})).toThrow(TypeError);
    expect(() => (trusted.keys as Map<string, unknown>).delete('ec')).toThrow(TypeError);
    expect(trusted.keys.size).toBe(3);
  });

  it('refuses a private EC key without echoing the key material', async () => {
    const error = await refusal({ keys: [{ ...ec.privateJwk, kid: 'svc-1', alg: 'ES256' }] });
    expect(error.code).toBe('KEYS_INVALID');
    expect(error.message).toBe(
      'DECISION_KEYS from test origin: kid svc-1 holds private key material: publish only public keys',
    );
    expect(error.message).not.toContain(ec.privateJwk.d);
    expect(JSON.stringify(error.details)).not.toContain(ec.privateJwk.d);
  });

  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])(
    'refuses a key carrying the private member %s',
    async (member) => {
      const error = await refusal({
        keys: [{ ...rsa.publicJwk, kid: 'r', alg: 'RS256', [member]: 'c2VjcmV0LW1hdGVyaWFs' }],
      });
      expect(error.message).toMatch(/private key/);
      expect(error.message).not.toContain('c2VjcmV0LW1hdGVyaWFs');
    },
  );

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
  ])('refuses %s', async (_name, json, message) => {
    const error = await refusal(json);
    expect(error.code).toBe('KEYS_INVALID');
    expect(error.message).toMatch(message);
  });

  it('refuses duplicate kids, mismatched kty/crv, encryption keys, bad points and short RSA', async () => {
    const key = { ...ec.publicJwk, kid: 'k', alg: 'ES256' };
    expect((await refusal({ keys: [key, key] })).message).toMatch(/appears twice/);
    expect((await refusal({ keys: [{ ...key, alg: 'ES384' }] })).message).toMatch(/not an EC P-384 key/);
    expect((await refusal({ keys: [{ ...ed, kid: 'k', alg: 'ES256' }] })).message).toMatch(
      /not an EC P-256 key/,
    );
    expect((await refusal({ keys: [{ ...ec.publicJwk, kid: 'k', alg: 'EdDSA' }] })).message).toMatch(
      /not an OKP Ed25519/,
    );
    // An ES256 key labelled "enc" is neither: never a verifier, and not ECDH-ES+A256KW.
    expect((await refusal({ keys: [{ ...key, use: 'enc' }] })).message).toMatch(/holds no signature keys/);
    const other = { ...(await pair('ES256')).publicJwk, kid: 'o', alg: 'ES256' };
    expect((await refusal({ keys: [other, { ...key, use: 'enc' }] })).message).toMatch(
      /kid k needs "alg" set to ECDH-ES\+A256KW/,
    );
    expect((await refusal({ keys: [{ ...key, x: key.y }] })).message).toMatch(/not a valid ES256 public key/);
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect((await refusal({ keys: [{ ...short, kid: 'k', alg: 'RS256' }] })).message).toMatch(
      /shorter than 2048/,
    );
  });
});
