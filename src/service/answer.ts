import { buildDecisionFacts } from '../decision/build-decision-facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { Decision } from '../events/decision.ts';
import type { RequestEvent } from '../events/request.ts';
import type { PolicyDecision } from '../policy/types.ts';
import { auditedFacts } from './audit-gate.ts';
import type { Outcome } from './outcome.ts';
import type { DeciderPorts } from './ports.ts';

/** The verified request being answered, and the policy set it is judged by (read once). */
export interface Answering {
  readonly event: RequestEvent;
  readonly requestDigest: string;
  readonly keyThumbprint: string;
  readonly ports: DeciderPorts;
  readonly policyDigest: string;
}

/** Answers a request that failed a check before the policy was asked: a signed deny. */
export async function deny(
  to: Answering,
  why: {
    reasons: string[];
    failedPath: string;
    claims?: VerifiedStep;
    verificationFailure: string;
    remember?: boolean;
  },
): Promise<Outcome> {
  const result: PolicyDecision = {
    verdict: 'deny',
    determining: [],
    reasons: why.reasons,
    errors: [],
    failedPath: why.failedPath,
  };
  return finish(to, result, why.claims, why.verificationFailure, why.remember ?? true);
}

/**
 * Turns a verdict into the decision's facts, audits them, signs the decision the pipe
 * verifies (docs/formats.md, "Decision") from the facts that survived the audit and, for a
 * request whose token verified, records it in the replay guard before it is published.
 */
export async function finish(
  to: Answering,
  policyResult: PolicyDecision,
  claims: VerifiedStep | undefined,
  verificationFailure?: string,
  remember = true,
): Promise<Outcome> {
  const { event, requestDigest, keyThumbprint, ports, policyDigest } = to;
  const now = ports.clock.now();
  const decided = buildDecisionFacts({
    event,
    claims,
    result: policyResult,
    policyDigest,
    decidedAt: new Date(now),
    verificationFailure,
  });
  // The audit record is written once the verdict is known and before anything is signed or
  // remembered, so a mirror failure can still turn an allow into the deny that is published.
  const facts = ports.audit ? await auditedFacts(ports.audit, decided) : decided;
  const decision: Decision = {
    requestId: event.id,
    requestDigest,
    requestKeyThumbprint: keyThumbprint,
    nonce: event.data.nonce,
    verdict: facts.verdict,
    reasons: [...facts.reasons],
    policy: { ids: [...facts.policies], digest: policyDigest },
    issuedAt: facts.decidedAt,
    expiresAt: new Date(now + ports.decisionTtlMs).toISOString(),
    ...(facts.approvers ? { approvers: [...facts.approvers] } : {}),
    ...(facts.failedPath ? { failedPath: facts.failedPath } : {}),
  };
  const jws = await ports.signer.sign(decision);
  // Only a request whose token verified binds its step; refusals are not remembered as
  // decisions, so the genuine request with that id can still be answered.
  if (remember && claims) {
    await ports.guard.record({
      requestId: event.id,
      requestDigest,
      stepUuid: claims.stepUuid,
      keyThumbprint,
      decisionJws: jws,
      verdict: decision.verdict,
      eventTime: Date.parse(event.time),
    });
  }
  return {
    kind: 'decided',
    requestId: event.id,
    jws,
    facts,
    redelivered: false,
  };
}
