import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { PRIVATE_JWK_MEMBERS } from '../../src/jose/jwk-members.ts';
import { generateServiceKey, publicJwksOf } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';

describe('generateServiceKey', () => {
  it.each(['ES256', 'EdDSA'] as const)(
    'makes a %s signing key named by its RFC 7638 thumbprint',
    async (alg) => {
      const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey({ alg });
      expect(privateJwk).toMatchObject({ alg, use: 'sig' });
      expect(typeof privateJwk.d).toBe('string');
      expect(privateJwk.kid).toBe(await calculateJwkThumbprint(publicJwks.keys[0] ?? {}));
      expect(privateJwk).not.toHaveProperty('key_ops');
      expect(publicJwks.keys).toHaveLength(2);
      for (const key of publicJwks.keys) expect(key).not.toHaveProperty('d');
      const trusted = await parseTrustedKeys(publicJwks, 'generated');
      expect(trusted.ids).toEqual([privateJwk.kid]);
      expect(trusted.encryption.map((key) => key.kid)).toEqual([encryptionJwk.kid]);
    },
  );

  it('makes a separate ECDH-ES+A256KW P-256 encryption key, named by its thumbprint', async () => {
    const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
    expect(encryptionJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ECDH-ES+A256KW', use: 'enc' });
    expect(typeof encryptionJwk.d).toBe('string');
    expect(encryptionJwk).not.toHaveProperty('key_ops');
    expect(encryptionJwk.kid).toBe(await calculateJwkThumbprint(publicJwks.keys[1] ?? {}));
    // Never the signing key's pair: same curve, other point.
    expect(encryptionJwk.x).not.toBe(privateJwk.x);
    expect(publicJwks.keys[1]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: encryptionJwk.x,
      y: encryptionJwk.y,
      kid: encryptionJwk.kid,
      alg: 'ECDH-ES+A256KW',
      use: 'enc',
    });
  });

  it('defaults to ES256 and never repeats a key', async () => {
    const [a, b] = await Promise.all([generateServiceKey(), generateServiceKey()]);
    expect(a.privateJwk.alg).toBe('ES256');
    expect(a.privateJwk.kid).not.toBe(b.privateJwk.kid);
  });
});

describe('publicJwksOf', () => {
  it('publishes old and new keys together for rotation, with no private member', async () => {
    const old = await generateServiceKey({ alg: 'EdDSA' });
    const next = await generateServiceKey();
    const { keys } = publicJwksOf([old.privateJwk, next.privateJwk]);
    expect(keys.map((key) => key.kid)).toEqual([old.privateJwk.kid, next.privateJwk.kid]);
    expect((await parseTrustedKeys({ keys }, 'rotation')).ids).toHaveLength(2);
  });

  it('strips every RSA private member, keeping only public ones', async () => {
    const { privateKey } = await generateKeyPair('PS256', { extractable: true });
    const rsa = { ...(await exportJWK(privateKey)), kid: 'rsa', alg: 'PS256' as const, ext: true };
    const [published] = publicJwksOf([rsa]).keys;
    expect(Object.keys(published ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n']);
    for (const member of PRIVATE_JWK_MEMBERS) expect(published).not.toHaveProperty(member);
  });

  it('refuses keys without kid or with a shared kid', async () => {
    const { privateJwk } = await generateServiceKey();
    expect(() => publicJwksOf([{ ...privateJwk, kid: '' }])).toThrow(GateError);
    expect(() => publicJwksOf([privateJwk, privateJwk])).toThrow(/share a "kid"/);
  });
});
