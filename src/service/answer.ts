import type { StepFacts } from '../bitbucket/facts.ts';
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
    /** What was established at Bitbucket before the check failed, if anything. */
    facts?: StepFacts;
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
  return finish(to, result, {
    claims: why.claims,
    facts: why.facts,
    verificationFailure: why.verificationFailure,
    remember: why.remember ?? true,
  });
}

/**
 * Turns a verdict into the decision's facts, audits them, signs the decision the pipe
 * verifies (docs/formats.md, "Decision") from the facts that survived the audit and, for a
 * request whose token verified, records it in the replay guard before it is published.
 */
export async function finish(
  to: Answering,
  policyResult: PolicyDecision,
  about: {
    /** The verified step token's claims; undefined when it did not verify. */
    readonly claims: VerifiedStep | undefined;
    /** The environment and pipeline established at Bitbucket, when they were. */
    readonly facts?: StepFacts | undefined;
    readonly verificationFailure?: string | undefined;
    /** Bind the step's request key to this decision in the replay guard (default true). */
    readonly remember?: boolean;
  },
): Promise<Outcome> {
  const { event, requestDigest, keyThumbprint, ports, policyDigest } = to;
  const { claims, verificationFailure } = about;
  const remember = about.remember ?? true;
  const now = ports.clock.now();
  const decided = buildDecisionFacts({
    event,
    claims,
    stepFacts: about.facts,
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
