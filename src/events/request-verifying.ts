import type { CryptoKey } from 'jose';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { payloadJson } from '../jose/json-payload.ts';
import { hasPrivateMember } from '../jose/jwk-members.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { typMatches } from '../jose/media-type.ts';
import { importPublicKey } from '../jose/public-key.ts';
import { jwkThumbprint } from '../jose/thumbprint.ts';
import { verifyCompact } from '../jose/verify.ts';
import { isRecord } from '../lib/is-record.ts';
import { sha256Base64url } from '../lib/sha256.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { RequestEvent } from './request.ts';
import { REQUEST_TYPE, requestEventProblem } from './request-schema.ts';
import { REQUEST_ALGORITHMS, REQUEST_TYP } from './request-signing.ts';

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
 * Verifies a request JWS with the key in its own header (RFC 7515 §4.1.3 `jwk`), imported
 * through the same checks as any trusted key. Pure: crypto only, no I/O, no clock. This proves
 * integrity and which ephemeral key signed it; who the pipeline is comes from the OIDC token
 * the service verifies separately (P3), and freshness from its replay checks (P2).
 */
export async function verifyRequest(
  jws: string,
  options: { maxBytes?: number } = {},
): Promise<VerifiedRequest | RequestRejection> {
  const parts = await readCompact(jws, options.maxBytes ?? MAX_COMPACT_BYTES.request, 'request');
  if (isCompactProblem(parts)) return reject(parts.problem, parts.message);
  const { header } = parts;
  if (!typMatches(header.typ, REQUEST_TYP)) return reject('wrong-type', `request typ is not ${REQUEST_TYP}`);
  const alg = REQUEST_ALGORITHMS.find((allowed) => allowed === header.alg);
  if (alg === undefined)
    return reject('signature', `request alg is not one of ${REQUEST_ALGORITHMS.join(', ')}`);
  const jwk = header.jwk;
  if (!isRecord(jwk)) return reject('signature', 'request header has no jwk');
  // A private key in the header means anyone who saw one request can sign another.
  if (hasPrivateMember(jwk)) return reject('signature', 'request header jwk holds private key material');
  let key: CryptoKey;
  try {
    key = await importPublicKey(jwk, alg, 'the request header jwk');
  } catch {
    return reject('signature', 'request header key cannot verify this JWS');
  }
  const verified = await verifyCompact(jws, { alg, key });
  if (!verified.ok)
    return reject(
      'signature',
      verified.reason === 'signature'
        ? 'request signature is invalid'
        : 'request header key cannot verify this JWS',
    );
  const event = payloadJson(verified.payload);
  if (!isRecord(event)) return reject('malformed', 'request payload is not a JSON object');
  if (event.type !== REQUEST_TYPE) return reject('wrong-type', `request event type is not ${REQUEST_TYPE}`);
  const problem = requestEventProblem(event);
  if (problem !== undefined) return reject('invalid-event', `request event refused: ${problem}`);
  return {
    ok: true,
    event: deepFreeze(event as unknown as RequestEvent),
    requestDigest: sha256Base64url(verified.payload),
    keyThumbprint: await jwkThumbprint(jwk),
  };
}

function reject(reason: RequestRejection['reason'], message: string): RequestRejection {
  return { ok: false, reason, message };
}
