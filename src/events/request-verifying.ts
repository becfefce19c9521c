import { calculateJwkThumbprint, compactVerify, EmbeddedJWK, errors, type JWK } from 'jose';
import { hasPrivateMember } from '../jose/jwk-members.ts';
import { isRecord } from '../lib/is-record.ts';
import { parseJsonBytes, readCompact, sha256Base64url, typMatches } from './compact-jws.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { RequestEvent } from './request.ts';
import { REQUEST_TYPE, requestEventProblem } from './request-schema.ts';
import { DEFAULT_REQUEST_MAX_BYTES, REQUEST_ALGORITHMS, REQUEST_TYP } from './request-signing.ts';

export interface VerifiedRequest {
  ok: true;
  event: RequestEvent;
  requestDigest: string;
  keyThumbprint: string;
}

export interface RequestRejection {
  ok: false;
  reason: 'malformed' | 'oversized' | 'signature' | 'wrong-type' | 'invalid-event';
  /** One line, safe to print: never quotes the token, a key or a field value. */
  message: string;
}

/**
 * Verifies a request JWS with the key in its own header. Pure: crypto only, no I/O, no clock.
 * This proves integrity and which ephemeral key signed it; who the pipeline is comes from the
 * OIDC token the service verifies separately (P3), and freshness from its replay checks (P2).
 */
export async function verifyRequest(
  jws: string,
  options: { maxBytes?: number } = {},
): Promise<VerifiedRequest | RequestRejection> {
  const parts = readCompact(jws, options.maxBytes ?? DEFAULT_REQUEST_MAX_BYTES, 'request');
  if ('problem' in parts) return reject(parts.problem, parts.message);
  const { header } = parts;
  if (!typMatches(header.typ, REQUEST_TYP)) return reject('wrong-type', `request typ is not ${REQUEST_TYP}`);
  if (!REQUEST_ALGORITHMS.some((alg) => alg === header.alg)) {
    return reject('signature', `request alg is not one of ${REQUEST_ALGORITHMS.join(', ')}`);
  }
  if (!isRecord(header.jwk)) return reject('signature', 'request header has no jwk');
  // A private key in the header means anyone who saw one request can sign another.
  if (hasPrivateMember(header.jwk))
    return reject('signature', 'request header jwk holds private key material');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, EmbeddedJWK, { algorithms: [...REQUEST_ALGORITHMS] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return reject('signature', 'request signature is invalid');
    return reject('signature', 'request header key cannot verify this JWS');
  }
  const event = parseJsonBytes(payload);
  if (!isRecord(event)) return reject('malformed', 'request payload is not a JSON object');
  if (event.type !== REQUEST_TYPE) return reject('wrong-type', `request event type is not ${REQUEST_TYPE}`);
  const problem = requestEventProblem(event);
  if (problem !== undefined) return reject('invalid-event', `request event refused: ${problem}`);
  return {
    ok: true,
    event: deepFreeze(event as unknown as RequestEvent),
    requestDigest: sha256Base64url(payload),
    keyThumbprint: await calculateJwkThumbprint(header.jwk as JWK),
  };
}

function reject(reason: RequestRejection['reason'], message: string): RequestRejection {
  return { ok: false, reason, message };
}
