// DECISION_KEYS and key sets carry the service's encryption key beside its signing keys
// (issue 13): kept apart, one current at most, never the same key as a signing key.
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyDecision } from '../../src/events/decision.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import { decisionFor, expectationFor, rawSign, signedRun } from '../events/fixtures.ts';

const publicOf = ({ d: _d, ...jwk }: JWK): JWK => jwk;

describe('encryption keys in DECISION_KEYS', () => {
  it('are kept apart from the verification keys, and the current one is what the pipe encrypts to', async () => {
    const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
    const trusted = await parseTrustedKeys(publicJwks, 'test');
    expect(trusted.ids).toEqual([privateJwk.kid]);
    expect(trusted.keys.has(encryptionJwk.kid ?? '')).toBe(false);
    expect(currentEncryptionKey(trusted).kid).toBe(encryptionJwk.kid);
  });

  it('refuses DECISION_KEYS without a current encryption key, in one line (exit 2)', async () => {
    const { privateJwk, encryptionJwk } = await generateServiceKey();
    const none = await parseTrustedKeys({ keys: [publicOf(privateJwk)] }, 'inline JSON');
    expect(() => currentEncryptionKey(none)).toThrow(
      /^DECISION_KEYS from inline JSON holds no current encryption key \(use "enc", alg ECDH-ES\+A256KW\)/,
    );
    const retired = await parseTrustedKeys(
      { keys: [publicOf(privateJwk), { ...publicOf(encryptionJwk), notAfter: '2030-01-01T00:00:00Z' }] },
      'x',
    );
    expect(() => currentEncryptionKey(retired)).toThrow(expect.objectContaining({ code: 'KEYS_INVALID' }));
  });

  it('refuses two current encryption keys: a pipe must never guess', async () => {
    const [a, b] = await Promise.all([generateServiceKey(), generateServiceKey()]);
    await expect(
      parseTrustedKeys({ keys: [...a.publicJwks.keys, publicOf(b.encryptionJwk)] }, 'test'),
    ).rejects.toThrow(/2 current encryption keys, at most one/);
  });

  it('refuses an encryption key that is a signing key under another kid', async () => {
    const { privateJwk } = await generateServiceKey();
    const { kid: _kid, ...signing } = publicOf(privateJwk);
    const reused = { ...signing, kid: 'enc-1', alg: 'ECDH-ES+A256KW', use: 'enc' };
    await expect(parseTrustedKeys({ keys: [publicOf(privateJwk), reused] }, 'test')).rejects.toThrow(
      /kid enc-1 is the same key as a signature key/,
    );
  });

  it('never verifies a decision with the encryption key, even one its private half signed', async () => {
    const { encryptionJwk, publicJwks } = await generateServiceKey();
    const trusted = await parseTrustedKeys(publicJwks, 'test');
    const run = await signedRun();
    const { use: _u, alg: _a, ...material } = encryptionJwk;
    const forged = await rawSign(
      decisionFor(run),
      { alg: 'ES256', kid: encryptionJwk.kid, typ: 'application/pulsar-gate.decision+jws' },
      material,
    );
    const result = await verifyDecision(forged, trusted, expectationFor(run));
    expect(result).toMatchObject({ ok: false, reason: 'unknown-key' });
  });
});
