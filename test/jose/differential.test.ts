// Differential test: our verify (src/jose/verify.ts) against jose's own compactVerify with the
// same one-algorithm allow-list, on random payloads and headers and on systematically mutated
// inputs. The two must agree on accept/reject for every input; the one documented difference
// (we also refuse any `crit` or `b64` member) is pinned by its own case at the end.
import { CompactSign, type CryptoKey, compactVerify, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '../../src/jose/algorithms.ts';
import { verifyCompact } from '../../src/jose/verify.ts';

const ALGS: readonly SignatureAlgorithm[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];

/** A fixed linear congruential sequence: the same inputs on every run, so a failure reproduces. */
function sequence(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

async function ours(jws: string, alg: SignatureAlgorithm, key: CryptoKey): Promise<boolean> {
  return (await verifyCompact(jws, { alg, key })).ok;
}

async function theirs(jws: string, alg: SignatureAlgorithm, key: CryptoKey): Promise<boolean> {
  return compactVerify(jws, key, { algorithms: [alg] }).then(
    () => true,
    () => false,
  );
}

async function agree(jws: string, alg: SignatureAlgorithm, key: CryptoKey, why: string): Promise<boolean> {
  const expected = await theirs(jws, alg, key);
  expect(await ours(jws, alg, key), why).toBe(expected);
  return expected;
}

const pairs = new Map<SignatureAlgorithm, Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }>>();
const pair = (alg: SignatureAlgorithm) => {
  let keys = pairs.get(alg);
  if (keys === undefined) {
    keys = generateKeyPair(alg);
    pairs.set(alg, keys);
  }
  return keys;
};

describe('our verifyCompact agrees with jose compactVerify', () => {
  it.each(ALGS)('%s: random payloads and headers, each with the right and a wrong key', async (alg) => {
    const { privateKey, publicKey } = await pair(alg);
    const other = await pair(alg === 'ES256' ? 'EdDSA' : 'ES256');
    const next = sequence(7);
    for (let i = 0; i < 25; i++) {
      const payload = Uint8Array.from({ length: next(300) }, () => next(256));
      const header = {
        alg,
        ...(next(2) ? { kid: `k${next(1000)}` } : {}),
        ...(next(2) ? { typ: ['JWT', 'application/x+jws', 'x'][next(3)] } : {}),
        ...(next(3) === 0 ? { [`x${next(99)}`]: next(2) ? 'v' : [next(9)] } : {}),
      };
      const jws = await new CompactSign(payload).setProtectedHeader(header).sign(privateKey);
      expect(await agree(jws, alg, publicKey, `signed #${i}`)).toBe(true);
      // A signature by another key, and this key asked to verify for another algorithm.
      expect(await agree(jws, alg, other.publicKey, `other key #${i}`)).toBe(false);
      const otherAlg = alg === 'ES256' ? 'EdDSA' : 'ES256';
      expect(await agree(jws, otherAlg, other.publicKey, `other alg #${i}`)).toBe(false);
    }
  });

  it.each(ALGS)('%s: 400 one-character mutations, deletions and insertions of a valid JWS', async (alg) => {
    const { privateKey, publicKey } = await pair(alg);
    const payload = new TextEncoder().encode('{"verdict":"allow"}');
    const signed = await new CompactSign(payload)
      .setProtectedHeader({ alg, kid: 'k', typ: 't' })
      .sign(privateKey);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    const next = sequence(42);
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const at = next(signed.length);
      const char = alphabet[next(alphabet.length)] ?? 'A';
      const mutated = [
        signed.slice(0, at) + char + signed.slice(at + 1),
        signed.slice(0, at) + signed.slice(at + 1),
        signed.slice(0, at) + char + signed.slice(at),
      ][i % 3];
      if (mutated === undefined || mutated === signed) continue;
      if (await agree(mutated, alg, publicKey, `mutation ${i} at ${at} with ${char}`)) accepted++;
    }
    // Both accept only spellings of the same bytes: base64url's unused low bits of a last
    // character (RFC 4648 §3.5) are ignored by jose's decoder, and by ours with it.
    expect(accepted).toBeLessThan(10);
  });

  it('the documented difference: a signed crit or b64 member is refused by us, whatever jose says', async () => {
    const { privateKey, publicKey } = await pair('ES256');
    const payload = new TextEncoder().encode('{}');
    for (const header of [
      { alg: 'ES256', b64: true },
      { alg: 'ES256', b64: false, crit: ['b64'] },
      { alg: 'ES256', crit: ['exp'], exp: 1 },
    ]) {
      const signer = new CompactSign(payload).setProtectedHeader(header);
      const jws = await signer.sign(privateKey).catch(() => undefined);
      if (jws === undefined) continue; // jose refuses to produce an unknown crit at all
      expect(await ours(jws, 'ES256', publicKey)).toBe(false);
    }
  });
});
