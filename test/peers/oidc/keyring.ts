/**
 * The issuer's signing keys and its public JWKS (RFC 7517 §5). Rotation publishes the new key
 * while the old one stays listed, so tokens signed before the rotation still verify until the
 * old key is retired, as an OIDC provider must do (OIDC Core 1.0 §10.1.1).
 */
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import type { MintOptions } from './claims.ts';

export type SigningAlgorithm = 'RS256' | 'ES256';

type SigningKey = {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
};

export type KeyRing = {
  jwks(): JSONWebKeySet;
  /** The current private key as a JWK (test peers only: lets workers mint for a shared issuer). */
  exportCurrent(): Promise<JWK>;
  rotate(): Promise<void>;
  retireOld(): void;
  sign(payload: JWTPayload, attack: Pick<MintOptions, 'signWith' | 'alg'>): Promise<string>;
};

async function createKey(alg: SigningAlgorithm, seed?: JWK): Promise<SigningKey> {
  // Extractable, so a shared issuer can hand its key to the test workers that mint for it.
  const { privateKey, publicKey } =
    seed === undefined ? await generateKeyPair(alg, { extractable: true }) : await importPair(alg, seed);
  const exported = await exportJWK(publicKey);
  // RFC 7638 thumbprints as key ids: stable, unique, and what many providers publish.
  const kid = await calculateJwkThumbprint(exported);
  return { kid, alg, privateKey, publicKey, jwk: { ...exported, kid, alg, use: 'sig' } };
}

async function importPair(
  alg: SigningAlgorithm,
  seed: JWK,
): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = seed;
  const privateKey = await importJWK(seed, alg);
  const publicKey = await importJWK(pub, alg);
  if (privateKey instanceof Uint8Array || publicKey instanceof Uint8Array)
    throw new Error('the seed JWK is not an asymmetric key');
  return { privateKey, publicKey };
}

/** `seed`: a private JWK to start from (a shared issuer's key), else a fresh key. */
export async function createKeyRing(alg: SigningAlgorithm, seed?: JWK): Promise<KeyRing> {
  let keys: SigningKey[] = [await createKey(alg, seed)];
  const current = (): SigningKey => {
    const key = keys.at(-1);
    if (key === undefined) throw new Error('the key ring is empty');
    return key;
  };

  return {
    jwks: () => ({ keys: keys.map((key) => key.jwk) }),
    exportCurrent: async () => ({ ...(await exportJWK(current().privateKey)), alg }),
    async rotate() {
      keys = [...keys, await createKey(alg)];
    },
    retireOld() {
      keys = [current()];
    },
    async sign(payload, attack) {
      const key = current();
      if (attack.alg === 'none') return new UnsecuredJWT(payload).encode();
      if (attack.alg === 'HS256') {
        // The classic algorithm-confusion forgery: the public key used as an HMAC secret.
        const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid })
          .sign(secret);
      }
      if (attack.signWith !== undefined) {
        const rogue = await createKey(alg);
        const kid = attack.signWith === 'unknown-key-same-kid' ? key.kid : rogue.kid;
        return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', kid }).sign(rogue.privateKey);
      }
      return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', kid: key.kid }).sign(key.privateKey);
    },
  };
}
