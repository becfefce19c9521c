// src/jose's JWE rules (RFC 7516, RFC 7518 §4.6), tried as an attacker would: another key,
// changed bytes, algorithms other than ours, and keys used for the other purpose.
import {
  CompactEncrypt,
  CompactSign,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { type DecryptionKeyLookup, decryptCompact } from '../../src/jose/decrypt.ts';
import { encryptCompact } from '../../src/jose/encrypt.ts';
import {
  type EncryptionKey,
  importDecryptionKey,
  importEncryptionKey,
} from '../../src/jose/encryption-key.ts';
import { importPublicKey } from '../../src/jose/public-key.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';

const TYP = 'application/example+jwe';
const PLAINTEXT = new TextEncoder().encode('a secret that must stay one');

interface Pair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly to: EncryptionKey;
  readonly from: EncryptionKey;
}

async function encryptionPair(): Promise<Pair> {
  const { encryptionJwk } = await generateServiceKey();
  const { d: _d, ...publicJwk } = encryptionJwk;
  return {
    privateJwk: encryptionJwk,
    publicJwk,
    to: await importEncryptionKey(publicJwk, 'test'),
    from: await importDecryptionKey(encryptionJwk, 'test'),
  };
}

let ours: Pair;
let theirs: Pair;
/** Counts lookups: an algorithm we refuse must be refused before any key is touched. */
let lookups = 0;
const keyFor =
  (pair: Pair): DecryptionKeyLookup =>
  async (kid) => {
    lookups++;
    return kid === pair.from.kid ? pair.from.key : { refused: `kid ${kid} is not ours` };
  };
const decrypt = (jwe: unknown, pair: Pair = ours) =>
  decryptCompact(jwe, { maxBytes: 4096, typ: TYP, what: 'the JWE', keyFor: keyFor(pair) });

beforeAll(async () => {
  [ours, theirs] = await Promise.all([encryptionPair(), encryptionPair()]);
});

describe('encryptCompact / decryptCompact', () => {
  it('round-trips, naming the key, our algorithms and the type in the protected header', async () => {
    const jwe = await encryptCompact({ typ: TYP, cty: 'JWT' }, PLAINTEXT, ours.to);
    const header = JSON.parse(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString());
    expect(header).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      kid: ours.to.kid,
      typ: TYP,
      cty: 'JWT',
    });
    expect(header.epk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(header.epk).not.toHaveProperty('d');
    const opened = await decrypt(jwe);
    expect(opened.ok && Buffer.from(opened.plaintext).toString()).toBe('a secret that must stay one');
    // A fresh ephemeral key each time: the same plaintext never gives the same ciphertext.
    expect(await encryptCompact({ typ: TYP }, PLAINTEXT, ours.to)).not.toBe(jwe);
  });

  it('refuses a JWE to another key, even one that claims our kid', async () => {
    const toThem = await encryptCompact({ typ: TYP }, PLAINTEXT, theirs.to);
    expect(await decrypt(toThem)).toMatchObject({ ok: false, reason: 'unknown-key' });
    const claimingOurs = await encryptCompact({ typ: TYP }, PLAINTEXT, {
      kid: ours.to.kid,
      key: theirs.to.key,
    });
    expect(await decrypt(claimingOurs)).toMatchObject({ ok: false, reason: 'decryption' });
  });

  it.each([
    ['the ciphertext', 3],
    ['the authentication tag', 4],
    ['the IV', 2],
    ['the wrapped key', 1],
  ])('refuses a JWE whose %s was changed', async (_name, index) => {
    const parts = (await encryptCompact({ typ: TYP }, PLAINTEXT, ours.to)).split('.');
    const bytes = Buffer.from(parts[index] ?? '', 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    parts[index] = bytes.toString('base64url');
    expect(await decrypt(parts.join('.'))).toMatchObject({ ok: false, reason: 'decryption' });
  });

  it('refuses a JWE whose protected header was changed (it is the GCM AAD)', async () => {
    const [header, ...rest] = (await encryptCompact({ typ: TYP }, PLAINTEXT, ours.to)).split('.');
    const changed = { ...JSON.parse(Buffer.from(header ?? '', 'base64url').toString()), extra: 1 };
    const jwe = [Buffer.from(JSON.stringify(changed)).toString('base64url'), ...rest].join('.');
    expect(await decrypt(jwe)).toMatchObject({ ok: false, reason: 'decryption' });
  });

  it.each([
    ['ECDH-ES (direct key agreement)', 'ECDH-ES', 'A256GCM'],
    ['ECDH-ES+A128KW', 'ECDH-ES+A128KW', 'A256GCM'],
    ['A128GCM content encryption', 'ECDH-ES+A256KW', 'A128GCM'],
    ['CBC-HMAC content encryption', 'ECDH-ES+A256KW', 'A256CBC-HS512'],
  ])('refuses %s before touching a key', async (_name, alg, enc) => {
    const key = (await importJWK(ours.publicJwk, alg)) as CryptoKey;
    const jwe = await new CompactEncrypt(PLAINTEXT)
      .setProtectedHeader({ alg, enc, kid: ours.to.kid, typ: TYP })
      .encrypt(key);
    lookups = 0;
    expect(await decrypt(jwe)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    expect(lookups).toBe(0);
  });

  it('refuses dir and RSA-OAEP JWEs, and a JWS, a zip or crit header, garbage and oversized input', async () => {
    const secret = new Uint8Array(32);
    const dir = await new CompactEncrypt(PLAINTEXT)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: ours.to.kid, typ: TYP })
      .encrypt(secret);
    const rsa = await generateKeyPair('RSA-OAEP-256');
    const oaep = await new CompactEncrypt(PLAINTEXT)
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: ours.to.kid, typ: TYP })
      .encrypt(rsa.publicKey);
    lookups = 0;
    expect(await decrypt(dir)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    expect(await decrypt(oaep)).toMatchObject({ ok: false, reason: 'unsupported-algorithm' });
    const [, ...rest] = (await encryptCompact({ typ: TYP }, PLAINTEXT, ours.to)).split('.');
    for (const extra of [{ zip: 'DEF' }, { crit: ['exp'], exp: 1 }]) {
      const header = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: ours.to.kid, typ: TYP, ...extra };
      const jwe = [Buffer.from(JSON.stringify(header)).toString('base64url'), ...rest].join('.');
      expect(await decrypt(jwe)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(lookups).toBe(0);
    const other = await encryptCompact({ typ: 'application/other+jwe' }, PLAINTEXT, ours.to);
    expect(await decrypt(other)).toMatchObject({ ok: false, reason: 'wrong-type' });
    expect(await decrypt('eyJhbGciOiJFUzI1NiJ9.e30.c2ln')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await decrypt(42)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await decrypt(`a.b.c.d.${'e'.repeat(5000)}`)).toMatchObject({ ok: false, reason: 'oversized' });
  });
});

describe('key separation (RFC 7517 §4.2)', () => {
  const refusal = async (attempt: Promise<unknown>): Promise<string> => {
    const error = await attempt.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('KEYS_INVALID');
    expect((error as GateError).message).not.toMatch(/[\r\n]/);
    return (error as GateError).message;
  };

  it('never encrypts to a signature key: use sig, no use, or an ES256 alg', async () => {
    const { privateJwk } = await generateServiceKey();
    const { d: _d, ...signing } = privateJwk;
    expect(await refusal(importEncryptionKey(signing, 'sig'))).toMatch(/not an encryption key/);
    const { use: _use, ...unlabelled } = signing;
    expect(await refusal(importEncryptionKey(unlabelled, 'sig'))).toMatch(/not an encryption key/);
    expect(await refusal(importEncryptionKey({ ...signing, use: 'enc' }, 'sig'))).toMatch(/ECDH-ES\+A256KW/);
    expect(await refusal(importEncryptionKey({ ...ours.publicJwk, key_ops: ['verify'] }, 'k'))).toMatch(
      /key_ops/,
    );
    expect(await refusal(importEncryptionKey({ ...ours.publicJwk, crv: 'P-384' }, 'k'))).toMatch(/EC P-256/);
    expect(await refusal(importEncryptionKey(ours.privateJwk, 'k'))).toMatch(/private key material/);
    expect(await refusal(importEncryptionKey({ ...ours.publicJwk, x: ours.publicJwk.y }, 'k'))).toMatch(
      /not a valid/,
    );
  });

  it('never verifies with an encryption key, even a signature its private half made', async () => {
    expect(await refusal(importPublicKey(ours.publicJwk, 'ES256', 'enc'))).toMatch(
      /not an EC P-256 key|not a signature/,
    );
    expect(await refusal(importPublicKey({ ...ours.publicJwk, alg: 'ES256' }, 'ES256', 'enc'))).toMatch(
      /not a signature verification key/,
    );
    // The same P-256 point could verify ECDSA: only the labels stop it, and they do.
    const { use: _u, alg: _a, key_ops: _k, ...material } = ours.privateJwk;
    const jws = await new CompactSign(PLAINTEXT)
      .setProtectedHeader({ alg: 'ES256', kid: ours.to.kid })
      .sign((await importJWK(material, 'ES256')) as CryptoKey);
    expect(jws.split('.')).toHaveLength(3);
    expect(
      await refusal(importPublicKey({ ...ours.publicJwk, alg: 'ES256', use: 'enc' }, 'ES256', 'enc')),
    ).toMatch(/not a signature verification key/);
  });

  it('imports the private half for decryption only with our labels', async () => {
    const { privateJwk } = await generateServiceKey();
    expect(await refusal(importDecryptionKey(privateJwk, 'sig'))).toMatch(/not an encryption key/);
    const { d: _d, ...publicOnly } = ours.privateJwk;
    expect(await refusal(importDecryptionKey(publicOnly, 'enc'))).toMatch(/no "d"/);
    expect((await importDecryptionKey(ours.privateJwk, 'enc')).key.extractable).toBe(false);
  });
});

// Used by the exported-JWK helpers above; keeps exportJWK honest about what it returns.
it('exports no private member for a public encryption key', async () => {
  expect(await exportJWK(ours.to.key)).not.toHaveProperty('d');
});
