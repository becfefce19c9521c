import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import { publicMembersOf } from '../jose/jwk-members.ts';
import { jwkThumbprint } from '../keys/jwk-thumbprint.ts';
import { sha256Base64url } from './compact-jws.ts';
import { signCompact } from './jws.ts';
import type { RequestEvent } from './request.ts';

/**
 * Explicit typing (RFC 8725 §3.11, RFC 7515 §4.1.9) so a request JWS can never be taken for a
 * decision or for the OIDC token it carries, and the other way round.
 */
export const REQUEST_TYP = 'application/pulsar-gate.request+jws';
/** Algorithms a request key may use: asymmetric only, so the embedded key can only verify. */
export const REQUEST_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;
/** An OIDC token and a JWK make a request a few KiB; this leaves room without inviting abuse. */
export const DEFAULT_REQUEST_MAX_BYTES = 64 * 1024;

export interface SignedRequest {
  /** JWS Compact Serialization (RFC 7515 §7.1). */
  jws: string;
  requestId: string;
  /** base64url SHA-256 of the exact JWS payload octets (the UTF-8 JSON of the event). */
  requestDigest: string;
  /** RFC 7638 thumbprint (SHA-256) of the public JWK in the header. */
  keyThumbprint: string;
}

export interface RequestSigner {
  readonly publicJwk: Readonly<JWK>;
  readonly keyThumbprint: string;
  sign(event: RequestEvent): Promise<SignedRequest>;
}

const newKeyPair = promisify(generateKeyPair);

/**
 * A per-run ephemeral ES256 key. The private half lives only in this process's memory, in a
 * closure nothing else can reach: nothing to store, nothing to leak. The public half rides in
 * the JWS header (RFC 7515 §4.1.3 `jwk`) and its thumbprint is what the decision is bound to.
 * node:crypto, not jose, for the pipe's start-up time (see jws.ts); the service verifies it
 * with jose (request-verifying.ts).
 */
export async function createRequestSigner(): Promise<RequestSigner> {
  // Generated on libuv's thread pool, while the pipe's main thread goes on loading.
  const { privateKey, publicKey } = await newKeyPair('ec', { namedCurve: 'P-256' });
  const publicJwk: JWK = Object.freeze(publicMembersOf(publicKey.export({ format: 'jwk' }) as JWK));
  const keyThumbprint = jwkThumbprint(publicJwk);
  return Object.freeze({
    publicJwk,
    keyThumbprint,
    async sign(event: RequestEvent): Promise<SignedRequest> {
      const payload = new TextEncoder().encode(JSON.stringify(event));
      const header = { alg: 'ES256', typ: REQUEST_TYP, jwk: { ...publicJwk } } as const;
      const jws = signCompact(header, payload, privateKey);
      return { jws, requestId: event.id, requestDigest: sha256Base64url(payload), keyThumbprint };
    },
  });
}
