import type { StepFacts } from '../bitbucket/facts.ts';
import { buildDecisionFacts } from '../decision/build-decision-facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { Decision } from '../events/decision.ts';
import type { RequestEvent } from '../events/request.ts';
import type { PolicyDecision } from '../policy/types.ts';
import { auditedFacts } from './audit-gate.ts';
import { decisionIdOf } from './decision-log.ts';
import { type DecisionRecord, secondKeyReason } from './decision-table.ts';
import { type GateGrant, signGateGrant } from './gate-grant.ts';
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
 * What a decision is recorded as on the decisions topic (P2): the request's decision that
 * binds its step to its key (the default), the request's decision only (a deny for a second
 * key or a mis-routed request must not bind the step), or nothing (a refusal that cannot be
 * this request's decision: its id is another request's, its time outside the window).
 */
export type Binding = 'step' | 'request' | 'none';

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
  const decisionId = decisionIdOf(event.id);
  // Only an allow that survived the audit carries a gate token (issue 14): never a deny or pending.
  const gateTokenJwe =
    facts.verdict === 'allow' && about.grant ? await signGateGrant(about.grant, decisionId, now) : undefined;
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
    decisionId,
    ...(gateTokenJwe === undefined ? {} : { gateTokenJwe }),
    ...(audited ? { auditLeaf: audited.auditLeaf } : {}),
  };
  const jws = await ports.signer.sign(decision);
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

/** The decision that stands for this request id, handed out again (a copy, a redelivery). */
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
  return {
    kind: 'decided',
    requestId: to.event.id,
    jws: record.decisionJws,
    // The log names the verdict handed out again (its reasons are in that signed decision)
    // and when it was handed out; the audit trail already holds the decision itself.
    facts: buildDecisionFacts({
      event: to.event,
      claims,
      result: { verdict: record.verdict, determining: [], reasons: [] },
      policyDigest: to.policyDigest,
      decidedAt: new Date(to.ports.clock.now()),
    }),
    redelivered: true,
  };
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
