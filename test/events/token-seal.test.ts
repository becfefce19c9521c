// The step token as it travels in a request (issue 13): a JWE to the service's current key,
// opened only by the service's keyring and only into a compact JWS.
import { describe, expect, it } from 'vitest';
import { openStepToken, STEP_TOKEN_TYP, sealStepToken } from '../../src/events/token-seal.ts';
import { encryptCompact } from '../../src/jose/encrypt.ts';
import { importDecryptionKeys } from '../../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import { tokenKeys } from '../../src/service/token-keys.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ7cmVwb30ifQ.c2lnbmF0dXJl';

async function service(now = 0) {
  const { encryptionJwk, publicJwks } = await generateServiceKey();
  const sealTo = currentEncryptionKey(await parseTrustedKeys(publicJwks, 'test'));
  const ring = await importDecryptionKeys({ keys: [encryptionJwk] }, 'test');
  const keys = tokenKeys(ring, { clock: { now: () => now }, reload: async () => ring, log: () => {} });
  return { sealTo, encryptionJwk, lookup: keys.lookup };
}

describe('sealStepToken / openStepToken', () => {
  it('carries the token as ciphertext only, and gives it back to the service', async () => {
    const { sealTo, lookup } = await service();
    const jwe = await sealStepToken(TOKEN, sealTo);
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe).not.toContain(TOKEN.split('.')[1]);
    expect(jwe).not.toMatch(/eyJ[\w-]*\.eyJ[\w-]*\./);
    expect(await openStepToken(jwe, lookup)).toEqual({ ok: true, token: TOKEN });
  });

  it("refuses a JWE to another service's key", async () => {
    const [ours, theirs] = await Promise.all([service(), service()]);
    const jwe = await sealStepToken(TOKEN, theirs.sealTo);
    expect(await openStepToken(jwe, ours.lookup)).toMatchObject({ ok: false, reason: 'unknown-key' });
  });

  it('refuses a JWE that decrypts to anything but a compact JWS', async () => {
    const { sealTo, lookup } = await service();
    for (const plaintext of [
      'opaque',
      'a.b',
      `${TOKEN}\n`,
      'a.b.c.d.e',
      TOKEN.replace('c2ln', 'c2ln\u00e9'),
    ]) {
      const jwe = await encryptCompact(
        { typ: STEP_TOKEN_TYP, cty: 'JWT' },
        new TextEncoder().encode(plaintext),
        sealTo,
      );
      expect(await openStepToken(jwe, lookup)).toMatchObject({ ok: false, reason: 'not-a-jws' });
    }
    const notUtf8 = await encryptCompact({ typ: STEP_TOKEN_TYP }, new Uint8Array([0x61, 0xff, 0x2e]), sealTo);
    expect(await openStepToken(notUtf8, lookup)).toMatchObject({ ok: false, reason: 'not-a-jws' });
  });

  it('refuses a token in clear, and a JWE of another type', async () => {
    const { sealTo, lookup } = await service();
    expect(await openStepToken(TOKEN, lookup)).toMatchObject({ ok: false, reason: 'malformed' });
    const other = await encryptCompact(
      { typ: 'application/pulsar-gate.other+jwe' },
      new TextEncoder().encode(TOKEN),
      sealTo,
    );
    expect(await openStepToken(other, lookup)).toMatchObject({ ok: false, reason: 'wrong-type' });
  });
});
