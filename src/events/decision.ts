import { isSignatureAlgorithm, SIGNATURE_ALGORITHMS } from '../jose/algorithms.ts';
import { isCompactProblem, readCompact } from '../jose/compact.ts';
import { payloadJson } from '../jose/json-payload.ts';
import { MAX_COMPACT_BYTES } from '../jose/limits.ts';
import { typMatches } from '../jose/media-type.ts';
import { verifyCompact } from '../jose/verify.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import { printable } from '../lib/printable.ts';
import { type Decision, decisionProblem } from './decision-schema.ts';
import { deepFreeze } from './deep-freeze.ts';

export type { Decision, Verdict } from './decision-schema.ts';

/** Explicit typing (RFC 8725 §3.11): a request JWS or an OIDC token is never read as a decision. */
export const DECISION_TYP = 'application/pulsar-gate.decision+jws';

export interface DecisionExpectation {
  requestId: string;
  requestDigest: string;
  nonce: string;
  requestKeyThumbprint: string;
  now: Date;
  /** Default 30. */
  clockToleranceSeconds?: number;
  /** Default MAX_COMPACT_BYTES.decision (src/jose/limits.ts). */
  maxBytes?: number;
}

export interface VerifiedDecision {
  ok: true;
  decision: Decision;
  kid: string;
}

export interface DecisionRejection {
  ok: false;
  reason:
    | 'oversized'
    | 'malformed'
    | 'wrong-type'
    | 'unsupported-algorithm'
    | 'unknown-key'
    | 'retired-key'
    | 'signature'
    | 'other-request'
    | 'digest-mismatch'
    | 'nonce-mismatch'
    | 'key-mismatch'
    | 'expired'
    | 'not-yet-valid';
  /** One line, safe to print. */
  message: string;
}

export type DecisionResult = VerifiedDecision | DecisionRejection;

/**
 * Accepts a decision only if a pinned key signed it for exactly this request (P1, P2). Pure:
 * crypto only, no I/O, so every message on the reply topic can go through it. Checks run
 * cheapest first; the verdict is validated but not judged — a valid `deny` is `ok: true`.
 */
export async function verifyDecision(
  jws: string,
  trusted: TrustedKeys,
  expect: DecisionExpectation,
): Promise<DecisionResult> {
  const parts = await readCompact(jws, expect.maxBytes ?? MAX_COMPACT_BYTES.decision, 'decision');
  if (isCompactProblem(parts)) return reject(parts.problem, parts.message);
  const { alg, kid, typ, crit } = parts.header;
  if (!typMatches(typ, DECISION_TYP)) return reject('wrong-type', `decision typ is not ${DECISION_TYP}`);
  // An allow-list, not the key's say-so: `none` and HMAC (keyed with a public key) never get here.
  if (!isSignatureAlgorithm(alg)) {
    return reject(
      'unsupported-algorithm',
      `decision alg ${printable(alg, 16)} is not one of ${SIGNATURE_ALGORITHMS.join(', ')}`,
    );
  }
  if (typeof kid !== 'string' || kid === '') return reject('malformed', 'decision header has no kid');
  // RFC 7515 §4.1.11: we understand no extension, so any `crit` makes the JWS unacceptable.
  if (crit !== undefined) return reject('malformed', 'decision header has crit extensions');
  const key = trusted.keys.get(kid);
  if (key === undefined)
    return reject('unknown-key', `decision signed by kid ${printable(kid)}, not in DECISION_KEYS`);
  // A rotated-out key verifies only until the end of its grace period (docs/formats.md, key sets).
  if (key.notAfter !== undefined && expect.now.getTime() > key.notAfter)
    return reject(
      'retired-key',
      `decision signed by kid ${printable(kid)}, retired since ${new Date(key.notAfter).toISOString()}`,
    );
  // The key fixes the algorithm (RFC 7517 §4.4): RS256 and PS256 never stand in for each other.
  if (key.alg !== alg)
    return reject('signature', `decision alg ${alg} does not match key ${printable(kid)} (${key.alg})`);
  const verified = await verifyCompact(jws, key);
  if (!verified.ok)
    return reject('signature', `decision signature does not verify with key ${printable(kid)}`);
  const decision = payloadJson(verified.payload);
  const problem = decisionProblem(decision);
  if (problem !== undefined) return reject('malformed', `decision refused: ${problem}`);
  const d = decision as Decision;
  if (d.requestId !== expect.requestId)
    return reject('other-request', `decision answers request ${d.requestId}, not this one`);
  if (d.requestDigest !== expect.requestDigest)
    return reject('digest-mismatch', 'decision is for a different request body');
  if (d.nonce !== expect.nonce) return reject('nonce-mismatch', 'decision carries another nonce (a replay?)');
  if (d.requestKeyThumbprint !== expect.requestKeyThumbprint) {
    return reject('key-mismatch', "decision is bound to another request signing key, not this run's");
  }
  const now = expect.now.getTime();
  const tolerance = (expect.clockToleranceSeconds ?? 30) * 1000;
  if (Date.parse(d.issuedAt) > now + tolerance)
    return reject('not-yet-valid', `decision issued in the future (${d.issuedAt})`);
  if (Date.parse(d.expiresAt) <= now - tolerance)
    return reject('expired', `decision expired at ${d.expiresAt}`);
  return { ok: true, decision: deepFreeze(d), kid };
}

function reject(reason: DecisionRejection['reason'], message: string): DecisionRejection {
  return { ok: false, reason, message };
}
