// Gate-issuer key rotation (issue 14): the next key is published before it signs; a retired
// key stays published until the last token it signed has expired, then leaves the JWKS.
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { gateTokenClaims, signGateToken } from '../../src/events/gate-token.ts';
import { gateJwks, importGateKeys, rotateGateKeys } from '../../src/keys/gate-keys.ts';
import { issuerDocuments } from '../../src/keys/issuer-documents.ts';
import { generateGateKey, generateGateKeySet } from '../../src/keys/service-keys.ts';

const NOW = Date.parse('2030-05-01T12:00:00Z');
const kids = (set: Parameters<typeof gateJwks>[0], at: number) => gateJwks(set, at).keys.map((k) => k.kid);

describe('gate-issuer keys', () => {
  it('publishes current and next from the start; after a rotation next signs, the old key stays 300 s', async () => {
    const first = await generateGateKeySet();
    expect(kids(first, NOW)).toEqual([first.current.kid, first.next.kid]);
    const second = rotateGateKeys(first, await generateGateKey(), NOW, 300);
    const { signing } = await importGateKeys(second, 'test');
    // The key that signs now was in the JWKS before the rotation.
    expect(signing.kid).toBe(first.next.kid);
    const token = await signGateToken(
      gateTokenClaims({
        issuer: 'https://gate.example.com',
        decisionId: 'd',
        repositoryUuid: 'r',
        workspaceUuid: 'w',
        environment: 'production',
        action: 'deploy',
        issuedAt: NOW / 1000,
        lifetimeSeconds: 300,
      }),
      signing,
    );
    expect(kids(first, NOW)).toContain(decodeProtectedHeader(token).kid);
    expect(kids(second, NOW + 299_000)).toEqual([first.next.kid, second.next?.kid, first.current.kid]);
    expect(kids(second, NOW + 300_000)).not.toContain(first.current.kid);
    // The retired key is kept public only: its private half is gone from the file.
    expect(second.retired[0]?.key).not.toHaveProperty('d');
  });

  it('refuses a set whose current key is not an ES256 private key', async () => {
    const set = await generateGateKeySet();
    const { d: _d, ...publicOnly } = set.current;
    await expect(importGateKeys({ ...set, current: publicOnly }, 'x')).rejects.toMatchObject({
      code: 'KEYS_INVALID',
    });
    await expect(importGateKeys({ next: set.next }, 'x')).rejects.toThrow(/not a gate key set/);
  });

  it('makes the discovery document IAM reads, pointing at the JWKS under the issuer', async () => {
    const set = await generateGateKeySet();
    const docs = issuerDocuments('https://gate.example.com/pg', set, NOW);
    expect(JSON.parse(docs.discovery)).toMatchObject({
      issuer: 'https://gate.example.com/pg',
      jwks_uri: 'https://gate.example.com/pg/jwks.json',
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
    });
    for (const key of JSON.parse(docs.jwks).keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ use: 'sig', alg: 'ES256' });
    }
  });
});
