// The service's decryption keys (src/service/token-keys.ts): a rotated-out key decrypts until
// its notAfter, never after; a key written by `keys rotate` is found without SIGHUP.

import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { importDecryptionKeys, keyringFor } from '../../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { tokenKeys } from '../../src/service/token-keys.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2030-05-01T12:00:00Z');

describe('tokenKeys', () => {
  it('decrypts with a key in grace until its notAfter, and refuses it after', async () => {
    const { encryptionJwk } = await generateServiceKey();
    const notAfter = new Date(NOW + HOUR).toISOString();
    const ring = await importDecryptionKeys({ keys: [{ ...encryptionJwk, notAfter }] }, 'ring');
    let now = NOW;
    const keys = tokenKeys(ring, { clock: { now: () => now }, reload: async () => ring, log: () => {} });
    expect(await keys.lookup(encryptionJwk.kid ?? '')).toHaveProperty('type', 'private');
    now = NOW + HOUR;
    expect(await keys.lookup(encryptionJwk.kid ?? '')).toEqual({
      refused: expect.stringMatching(/was retired at/),
    });
  });

  it('re-reads the keyring once for an unknown kid, one read at a time', async () => {
    const [first, second] = await Promise.all([generateServiceKey(), generateServiceKey()]);
    const before = await importDecryptionKeys({ keys: [first.encryptionJwk] }, 'ring');
    const after = await importDecryptionKeys({ keys: [second.encryptionJwk, first.encryptionJwk] }, 'ring');
    let reads = 0;
    const keys = tokenKeys(before, {
      clock: { now: () => NOW },
      reload: async () => {
        reads++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return after;
      },
      log: () => {},
    });
    const found = await Promise.all([1, 2, 3].map(() => keys.lookup(second.encryptionJwk.kid ?? '')));
    for (const key of found) expect(key).toHaveProperty('type', 'private');
    expect(reads).toBe(1);
    expect(await keys.lookup('made-up')).toEqual({ refused: expect.stringMatching(/not an encryption key/) });
    expect(reads).toBe(2);
  });

  it('keeps the keys in force when a reload fails', async () => {
    const { encryptionJwk } = await generateServiceKey();
    const ring = await importDecryptionKeys({ keys: [encryptionJwk] }, 'ring');
    const logged: string[] = [];
    const keys = tokenKeys(ring, {
      clock: { now: () => NOW },
      reload: () => Promise.reject(new Error('unreadable')),
      log: (line) => logged.push(line),
    });
    expect(await keys.lookup('unknown')).toHaveProperty('refused');
    expect(await keys.lookup(encryptionJwk.kid ?? '')).toHaveProperty('type', 'private');
    expect(logged.join('\n')).toMatch(/reload failed, keeping/);
  });
});

describe('keyringFor (keys rotate)', () => {
  it('keeps the private half of every encryption key the set publishes, with its notAfter, and nothing else', async () => {
    const [old, next, staged] = await Promise.all([
      generateServiceKey(),
      generateServiceKey(),
      generateServiceKey(),
    ]);
    const publicOf = ({ d: _d, ...jwk }: JWK) => jwk;
    const until = new Date(NOW + HOUR).toISOString();
    const set = [
      publicOf(next.privateJwk),
      publicOf(next.encryptionJwk),
      { ...publicOf(old.encryptionJwk), notAfter: until },
    ];
    const ring = keyringFor(set, [next.encryptionJwk, staged.encryptionJwk, old.encryptionJwk]);
    expect(ring.keys.map((key) => key.kid)).toEqual([next.encryptionJwk.kid, old.encryptionJwk.kid]);
    expect(ring.keys[1]).toMatchObject({ d: old.encryptionJwk.d, notAfter: until });
    expect(ring.keys[0]).not.toHaveProperty('notAfter');
    await expect(importDecryptionKeys(ring, 'ring')).resolves.toBeDefined();
  });

  it('refuses a keyring holding a signing key or nothing', async () => {
    const { privateJwk } = await generateServiceKey();
    await expect(importDecryptionKeys({ keys: [privateJwk] }, 'ring')).rejects.toThrow(
      /not an encryption key/,
    );
    await expect(importDecryptionKeys({ keys: [] }, 'ring')).rejects.toThrow(/not a JWKS of encryption keys/);
  });
});
