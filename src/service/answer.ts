import type { StepFacts } from '../bitbucket/facts.ts';
import { buildDecisionFacts } from '../decision/build-decision-facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { PolicyDecision } from '../policy/types.ts';
import type { Answering, Binding } from './answering.ts';
import { auditedFacts } from './audit-gate.ts';
import type { DecisionRecord } from './decision-record.ts';
import { secondKeyReason } from './decision-table.ts';
import type { GateGrant } from './gate-grant.ts';
import { handedOut } from './handed-out.ts';
import type { Outcome } from './outcome.ts';
import { signedDecision } from './signed-decision.ts';

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
    bind?: Binding;
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
    bind: why.bind ?? 'step',
  });
}

/**
 * Turns a verdict into the decision's facts, audits them, signs the decision the pipe
 * verifies (docs/formats.md, "Decision") from the facts that survived the audit and, for a
 * request whose token verified, records it on the decisions topic before it is published.
 * When another replica's decision was recorded first, that one is the answer (P2).
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
    /** Gate mode: the token an allow carries, checked before the policy was asked. */
    readonly grant?: GateGrant | undefined;
    /** How the decision is recorded (default: it binds the step). */
    readonly bind?: Binding;
  },
): Promise<Outcome> {
  const { event, requestDigest, keyThumbprint, ports, policyDigest } = to;
  const { claims, verificationFailure } = about;
  const bind = about.bind ?? 'step';
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
  const audited = ports.audit ? await auditedFacts(ports.audit, decided) : undefined;
  const facts = audited?.facts ?? decided;
  const { decision, jws } = await signedDecision(to, facts, {
    now,
    grant: about.grant,
    auditLeaf: audited?.auditLeaf,
  });
  // Only a request whose token verified is recorded; refusals are not recorded as decisions,
  // so the genuine request with that id can still be answered.
  if (bind !== 'none' && claims) {
    const settled = await ports.replay.record({
      requestId: event.id,
      requestDigest,
      stepUuid: claims.stepUuid,
      keyThumbprint,
      verdict: decision.verdict,
      decisionJws: jws,
      eventTime: Date.parse(event.time),
      decidedAt: decision.issuedAt,
      bindsStep: bind === 'step',
    });
    // This signed decision lost to one recorded first and is never published.
    if (settled.kind === 'superseded') return handedOutAgain(to, claims, settled.record);
    if (settled.kind === 'second-key') return secondKeyDeny(to, claims);
  }
  const replyKey = facts.verdict === 'pending' ? event.data.replyEncryptionKey : undefined;
  return { kind: 'decided', requestId: event.id, jws, facts, redelivered: false, replyKey };
}

/**
 * The decision that stands for this request id, handed out again (a copy, a redelivery); a
 * request reusing another request's id is denied, and that deny binds nothing.
 */
export async function handedOutAgain(
  to: Answering,
  claims: VerifiedStep,
  record: DecisionRecord,
): Promise<Outcome> {
  if (record.requestDigest !== to.requestDigest) {
    return deny(to, {
      reasons: [`request id ${to.event.id} was already used by another request`],
      failedPath: 'replay protection',
      claims,
      verificationFailure: 'replay',
      bind: 'none',
    });
  }
  return handedOut(to, claims, record);
}

/** Another key bound the step first: this request's own, recorded deny (P2). */
export function secondKeyDeny(to: Answering, claims: VerifiedStep): Promise<Outcome> {
  return deny(to, {
    reasons: [secondKeyReason(claims.stepUuid)],
    failedPath: 'replay protection',
    claims,
    verificationFailure: 'replay',
    bind: 'request',
  });
}
