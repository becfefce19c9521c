import { constants, type KeyObject, sign, verify } from 'node:crypto';
import type { DecisionAlgorithm } from '../keys/trusted-keys.ts';
import { isRecord } from '../lib/is-record.ts';
import { parseJson } from './compact-jws.ts';

/**
 * JWS Compact Serialization (RFC 7515 §7.1) over node:crypto, for the pipe's own signing and
 * verifying. jose (the service's JWS library) runs on WebCrypto: loading it and WebCrypto's
 * first key generation, signature and verification took 25 ms in the bundle, against 15 ms
 * here, most of it node:crypto itself, which the pipe loads anyway (README, Benchmarks). The
 * operations are a handful of fixed algorithms on keys already checked at import.
 * Interoperability is proven both ways by the end-to-end tests: the service verifies these
 * requests with jose, and the pipe verifies jose-signed decisions with this.
 */
export type JwsAlgorithm = DecisionAlgorithm;

interface AlgorithmParams {
  /** Digest for node:crypto sign/verify; null for EdDSA, which hashes internally (RFC 8037 §3.1). */
  readonly digest: string | null;
  /** What the key must be (checked again here, not only at import). */
  readonly keyType: 'ec' | 'ed25519' | 'rsa';
  readonly curve?: string;
  /** ECDSA signatures are R‖S, each the curve's size (RFC 7518 §3.4), not DER. */
  readonly signatureBytes?: number;
  readonly padding?: number;
  readonly saltLength?: number;
}

const PARAMS: Readonly<Record<JwsAlgorithm, AlgorithmParams>> = {
  ES256: { digest: 'sha256', keyType: 'ec', curve: 'prime256v1', signatureBytes: 64 },
  ES384: { digest: 'sha384', keyType: 'ec', curve: 'secp384r1', signatureBytes: 96 },
  EdDSA: { digest: null, keyType: 'ed25519', signatureBytes: 64 },
  RS256: { digest: 'sha256', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
  PS256: { digest: 'sha256', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
};

function keyFits(key: KeyObject, params: AlgorithmParams): boolean {
  if (key.asymmetricKeyType !== params.keyType) return false;
  return params.curve === undefined || key.asymmetricKeyDetails?.namedCurve === params.curve;
}

function cryptoKey(key: KeyObject, params: AlgorithmParams) {
  return {
    key,
    ...(params.keyType === 'ec' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
    ...(params.padding === undefined ? {} : { padding: params.padding }),
    ...(params.saltLength === undefined ? {} : { saltLength: params.saltLength }),
  };
}

/** Signs `payload` with `header` (which must name `alg`) as a compact JWS. */
export function signCompact(
  header: Readonly<Record<string, unknown>> & { alg: JwsAlgorithm },
  payload: Uint8Array,
  privateKey: KeyObject,
): string {
  const params = PARAMS[header.alg];
  if (privateKey.type !== 'private' || !keyFits(privateKey, params))
    throw new TypeError(`the signing key does not fit ${header.alg}`);
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  const signature = sign(params.digest, Buffer.from(input), cryptoKey(privateKey, params));
  return `${input}.${signature.toString('base64url')}`;
}

export type CompactVerification =
  | { readonly ok: true; readonly header: Readonly<Record<string, unknown>>; readonly payload: Uint8Array }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' };

// RFC 7515 §2, §7.1: three unpadded base64url segments; the payload may be empty.
const COMPACT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)$/;

/**
 * Verifies a compact JWS with one public key for one algorithm (RFC 7515 §5.2). Pure: no I/O.
 * The header must name exactly `alg` — the key decides the algorithm, never the message
 * (RFC 8725 §3.1) — and must carry no `crit` (we understand no extension, RFC 7515 §4.1.11),
 * which also rules out unencoded payloads (RFC 7797 `b64`).
 */
export function verifyCompact(jws: string, key: KeyObject, alg: JwsAlgorithm): CompactVerification {
  const parts = COMPACT.exec(jws);
  if (parts === null) return { ok: false, reason: 'malformed' };
  const [, headerB64 = '', payloadB64 = '', signatureB64 = ''] = parts;
  const fields = parseJson(headerB64);
  if (!isRecord(fields)) return { ok: false, reason: 'malformed' };
  if (fields.alg !== alg || 'crit' in fields || 'b64' in fields) return { ok: false, reason: 'malformed' };
  const params = PARAMS[alg];
  if (key.type !== 'public' || !keyFits(key, params)) return { ok: false, reason: 'signature' };
  const signature = Buffer.from(signatureB64, 'base64url');
  // Only the canonical encoding (RFC 4648 §3.5): one signature, one spelling.
  if (signature.toString('base64url') !== signatureB64) return { ok: false, reason: 'malformed' };
  if (params.signatureBytes !== undefined && signature.length !== params.signatureBytes)
    return { ok: false, reason: 'signature' };
  const input = Buffer.from(`${headerB64}.${payloadB64}`);
  if (!verify(params.digest, input, cryptoKey(key, params), signature))
    return { ok: false, reason: 'signature' };
  return { ok: true, header: fields, payload: Buffer.from(payloadB64, 'base64url') };
}
