// The checks every trusted public key passes at import (src/jose/public-key.ts), and the
// attack that makes the RSA exponent check necessary: jose alone imports e = 1.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type CryptoKey, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import type { SignatureAlgorithm } from '../../src/jose/algorithms.ts';
import { importPublicKey } from '../../src/jose/public-key.ts';
import { verifyCompact } from '../../src/jose/verify.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';

const publicJwk = async (alg: string, options = {}): Promise<JWK> =>
  exportJWK((await generateKeyPair(alg, { extractable: true, ...options })).publicKey);

async function refusal(jwk: Record<string, unknown>, alg: SignatureAlgorithm): Promise<GateError> {
  const error = await importPublicKey(jwk, alg, 'DECISION_KEYS from test: kid k1').then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof GateError)) throw new Error(`expected a GateError, got ${String(error)}`);
  expect(error.code).toBe('KEYS_INVALID');
  expect(error.message).toMatch(/^DECISION_KEYS from test: kid k1 /);
  expect(error.message).not.toMatch(/[\r\n]/);
  return error;
}

/** RFC 8017 §9.2 EMSA-PKCS1-v1_5 for SHA-256: 00 01 FF…FF 00 ‖ DigestInfo ‖ H, k bytes long. */
function emsaPkcs1Sha256(message: string, k: number): Buffer {
  const digestInfo = Buffer.concat([
    Buffer.from('3031300d060960864801650304020105000420', 'hex'), // RFC 8017 §9.2 note 1
    createHash('sha256').update(message).digest(),
  ]);
  return Buffer.concat([
    Buffer.from([0x00, 0x01]),
    Buffer.alloc(k - digestInfo.length - 3, 0xff),
    Buffer.from([0x00]),
    digestInfo,
  ]);
}

describe('RSA public exponent: the e = 1 keyless forgery', () => {
  let n: Buffer;
  let forged: string;
  beforeAll(() => {
    // Any odd 2048-bit modulus above the encoded message: no factorization is ever needed.
    n = randomBytes(256);
    n[0] = 0xff;
    n[255] = (n[255] ?? 0) | 1;
    const input = `${Buffer.from('{"alg":"RS256","kid":"e1"}').toString('base64url')}.${Buffer.from('{"verdict":"allow"}').toString('base64url')}`;
    // With e = 1, s^e mod n = s: the padded message is its own "signature".
    forged = `${input}.${emsaPkcs1Sha256(input, 256).toString('base64url')}`;
  });

  it('is real: jose imports such a key and accepts the forgery', async () => {
    const weak = await importJWK({ kty: 'RSA', n: n.toString('base64url'), e: 'AQ' }, 'RS256');
    if (weak instanceof Uint8Array) throw new Error('not a key');
    expect((await compactVerify(forged, weak, { algorithms: ['RS256'] })).payload).toBeDefined();
    expect((await verifyCompact(forged, { alg: 'RS256', key: weak })).ok).toBe(true);
  });

  it('is refused at import, naming the key and the exponent', async () => {
    const jwk = { kty: 'RSA', n: n.toString('base64url'), e: 'AQ', kid: 'e1', alg: 'RS256' };
    const error = await parseTrustedKeys({ keys: [jwk] }, 'attacker').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GateError);
    expect(error instanceof GateError && error.message).toBe(
      'DECISION_KEYS from attacker: kid e1 has RSA public exponent 1, not 65537',
    );
    expect((await refusal({ kty: 'RSA', n: n.toString('base64url'), e: 'Aw' }, 'PS256')).message).toMatch(
      /exponent 3, not 65537/,
    );
  });
});

describe('importPublicKey', () => {
  it.each([
    ['ES256', {}],
    ['ES384', {}],
    ['ES512', {}],
    ['EdDSA', {}],
    ['RS256', { modulusLength: 2048 }],
    ['PS256', { modulusLength: 3072 }],
  ] as const)('imports a good %s key as a public CryptoKey', async (alg, options) => {
    const key: CryptoKey = await importPublicKey(
      { ...(await publicJwk(alg, options)), use: 'sig', key_ops: ['verify'] },
      alg,
      'k',
    );
    expect(key.type).toBe('public');
  });

  it('refuses EC keys off their named curve or off the curve, and OKP other than Ed25519', async () => {
    const p256 = await publicJwk('ES256');
    const p384 = await publicJwk('ES384');
    expect((await refusal(p256, 'ES384')).message).toMatch(/has alg ES384 but is not an EC P-384 key/);
    expect((await refusal(p384, 'ES512')).message).toMatch(/not an EC P-521 key/);
    expect((await refusal({ ...p256, crv: 'P-384' }, 'ES384')).message).toMatch(
      /not a valid ES384 public key/,
    );
    // The point (x, x) is not on P-256 (SEC 1 §3.2.2.1): refused at import, not at first verify.
    expect((await refusal({ ...p256, y: p256.x }, 'ES256')).message).toMatch(/not a valid ES256 public key/);
    const ed448 = { kty: 'OKP', crv: 'Ed448', x: Buffer.alloc(57, 1).toString('base64url') };
    expect((await refusal(ed448, 'EdDSA')).message).toMatch(/not an OKP Ed25519 key/);
    expect((await refusal({ ...p256, kty: 'OKP' }, 'EdDSA')).message).toMatch(/not an OKP Ed25519 key/);
  });

  it('refuses short RSA moduli and every private member, without echoing values', async () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect((await refusal(short, 'RS256')).message).toMatch(/RSA key of 1024 bits, shorter than 2048/);
    const ec = await publicJwk('ES256');
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv']) {
      const error = await refusal({ ...ec, [member]: 'c2VjcmV0' }, 'ES256');
      expect(error.message).toMatch(/holds private key material/);
      expect(error.message).not.toContain('c2VjcmV0');
    }
    expect((await refusal({ ...ec, use: 'enc' }, 'ES256')).message).toMatch(
      /not a signature verification key/,
    );
    expect((await refusal({ ...ec, key_ops: ['sign'] }, 'ES256')).message).toMatch(
      /not a signature verification/,
    );
  });
});
