import { CompactSign, type CryptoKey, importJWK, type JWK } from 'jose';
import { GateError } from '../errors.ts';
import { DECISION_ALGORITHMS, type DecisionAlgorithm } from '../keys/trusted-keys.ts';
import { printable } from '../lib/printable.ts';
import { DECISION_TYP, type Decision } from './decision.ts';
import { decisionProblem } from './decision-schema.ts';

export interface DecisionSigner {
  readonly kid: string;
  readonly alg: DecisionAlgorithm;
  /** JWS Compact Serialization (RFC 7515 §7.1) with header `{ alg, kid, typ }`. */
  sign(decision: Decision): Promise<string>;
}

/**
 * The decision service's signer. Kept apart from the verifier so the pipe, which only
 * verifies, never loads code that handles a private key. The JWK must name its `alg` and
 * `kid` (RFC 7517 §4.4, §4.5): the pipe selects the pinned key by `kid`.
 */
export async function createDecisionSigner(privateJwk: JWK): Promise<DecisionSigner> {
  const { kid, alg: algorithm, key } = await importSigningKey(privateJwk, 'decision');
  return Object.freeze({
    kid,
    alg: algorithm,
    async sign(decision: Decision): Promise<string> {
      // Never sign what verifyDecision would refuse: a pipe would wait for nothing.
      const problem = decisionProblem(decision);
      if (problem !== undefined)
        throw new GateError('CONFIG_INVALID', `cannot sign the decision: ${problem}`);
      const payload = new TextEncoder().encode(JSON.stringify(decision));
      return new CompactSign(payload)
        .setProtectedHeader({ alg: algorithm, kid, typ: DECISION_TYP })
        .sign(key);
    },
  });
}

/**
 * Imports the service's private signing JWK once, non-extractable. It must name its `alg`
 * and `kid` (RFC 7517 §4.4, §4.5): verifiers select the pinned key by `kid`. Shared by the
 * decision signer and the audit checkpoint signer, which use the same key.
 */
export async function importSigningKey(
  privateJwk: JWK,
  purpose: string,
): Promise<{ kid: string; alg: DecisionAlgorithm; key: CryptoKey }> {
  const { kid, alg } = privateJwk;
  if (typeof kid !== 'string' || kid === '') throw keysInvalid(`the ${purpose} signing key has no "kid"`);
  if (!DECISION_ALGORITHMS.some((allowed) => allowed === alg)) {
    throw keysInvalid(
      `the ${purpose} signing key (kid ${printable(kid)}) needs "alg" set to one of ${DECISION_ALGORITHMS.join(', ')}`,
    );
  }
  const algorithm = alg as DecisionAlgorithm;
  try {
    const imported = await importJWK(privateJwk, algorithm, { extractable: false });
    if (imported instanceof Uint8Array || imported.type !== 'private')
      throw new TypeError('not a private key');
    return { kid, alg: algorithm, key: imported };
  } catch {
    // The import error is not kept: it could describe the key material.
    throw keysInvalid(
      `the ${purpose} signing key (kid ${printable(kid)}) is not a valid ${algorithm} private key`,
    );
  }
}

function keysInvalid(message: string): GateError {
  return new GateError('KEYS_INVALID', message);
}
