import type { JWK } from 'jose';
import { signCompact } from '../jose/sign.ts';
import { generateSigningKey } from '../jose/signing-key.ts';
import { jwkThumbprint } from '../jose/thumbprint.ts';
import { sha256Base64url } from '../lib/sha256.ts';
import type { RequestEvent } from './request.ts';

/**
 * Explicit typing (RFC 8725 §3.11, RFC 7515 §4.1.9) so a request JWS can never be taken for a
 * decision or for the OIDC token it carries, and the other way round.
 */
export const REQUEST_TYP = 'application/pulsar-gate.request+jws';
/** Algorithms a request key may use: asymmetric only, so the embedded key can only verify. */
export const REQUEST_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;

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

/**
 * A per-run ephemeral ES256 key (jose on WebCrypto, not extractable). The private half lives
 * only in this process's memory, in a closure nothing else can reach: nothing to store,
 * nothing to leak. The public half rides in the JWS header (RFC 7515 §4.1.3 `jwk`) and its
 * RFC 7638 thumbprint is what the decision is bound to.
 */
export async function createRequestSigner(): Promise<RequestSigner> {
  const { signing, publicJwk: generated } = await generateSigningKey('ES256');
  const publicJwk: JWK = Object.freeze(generated);
  const keyThumbprint = await jwkThumbprint(publicJwk);
  return Object.freeze({
    publicJwk,
    keyThumbprint,
    async sign(event: RequestEvent): Promise<SignedRequest> {
      const payload = new TextEncoder().encode(JSON.stringify(event));
      const jws = await signCompact({ typ: REQUEST_TYP, jwk: { ...publicJwk } }, payload, signing);
      return { jws, requestId: event.id, requestDigest: sha256Base64url(payload), keyThumbprint };
    },
  });
}
