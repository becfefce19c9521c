import type { JWK } from 'jose';
import { GateError } from '../errors.ts';
import type { SignatureAlgorithm } from '../jose/algorithms.ts';
import { signCompact } from '../jose/sign.ts';
import { importSigningKey } from '../jose/signing-key.ts';
import { DECISION_TYP, type Decision } from './decision.ts';
import { decisionProblem } from './decision-schema.ts';

export interface DecisionSigner {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  /** JWS Compact Serialization (RFC 7515 §7.1) with header `{ alg, kid, typ }`. */
  sign(decision: Decision): Promise<string>;
}

/**
 * The decision service's signer. Kept apart from the verifier so the pipe, which only
 * verifies, never loads code that handles a private key. The JWK must name its `alg` and
 * `kid` (RFC 7517 §4.4, §4.5): the pipe selects the pinned key by `kid`.
 */
export async function createDecisionSigner(privateJwk: JWK): Promise<DecisionSigner> {
  const signing = await importSigningKey(privateJwk, 'decision');
  const { kid, alg } = signing;
  return Object.freeze({
    kid,
    alg,
    async sign(decision: Decision): Promise<string> {
      // Never sign what verifyDecision would refuse: a pipe would wait for nothing.
      const problem = decisionProblem(decision);
      if (problem !== undefined)
        throw new GateError('CONFIG_INVALID', `cannot sign the decision: ${problem}`);
      const payload = new TextEncoder().encode(JSON.stringify(decision));
      return signCompact({ kid, typ: DECISION_TYP }, payload, signing);
    },
  });
}
