import type { Decision } from '../events/decision.ts';
import type { RequestEvent } from '../events/request.ts';
import type { PolicyDecision, VerifiedClaims } from '../policy/types.ts';
import { auditedVerdict } from './audit-gate.ts';
import { record } from './decision-record.ts';
import type { Outcome } from './outcome.ts';
import type { DeciderPorts } from './ports.ts';

/**
 * Turns a verdict into the signed decision the pipe verifies (DESIGN.md §4) and, for a
 * request whose token verified, records it in the replay guard before it is published.
 */
/** The verified request being answered, and the policy set it is judged by (read once). */
export interface Answering {
  readonly event: RequestEvent;
  readonly requestDigest: string;
  readonly keyThumbprint: string;
  readonly ports: DeciderPorts;
  readonly policyDigest: string;
}

export async function deny(
  to: Answering,
  why: {
    reasons: string[];
    failedPath: string;
    claims?: VerifiedClaims & { stepUuid: string };
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

export async function finish(
  to: Answering,
  policyResult: PolicyDecision,
  claims: (VerifiedClaims & { stepUuid: string }) | undefined,
  verificationFailure?: string,
  remember = true,
): Promise<Outcome> {
  const { event, requestDigest, keyThumbprint, ports, policyDigest: digest } = to;
  const now = ports.clock.now();
  // The audit record is written once the verdict is known and before anything is signed or
  // remembered, so a mirror failure can still turn an allow into the deny that is published.
  const result = ports.audit
    ? await auditedVerdict(ports.audit, {
        event,
        claims,
        result: policyResult,
        policyDigest: digest,
        now: new Date(now),
        verificationFailure,
      })
    : policyResult;
  const decision: Decision = {
    requestId: event.id,
    requestDigest,
    requestKeyThumbprint: keyThumbprint,
    nonce: event.data.nonce,
    verdict: result.verdict,
    reasons: result.reasons.slice(0, 16),
    policy: { ids: result.determining, digest },
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ports.decisionTtlMs).toISOString(),
    ...(result.approvers?.length ? { approvers: result.approvers } : {}),
    ...(result.failedPath ? { failedPath: result.failedPath } : {}),
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
    replyTopic: event.data.replyTopic,
    requestId: event.id,
    jws,
    record: record(
      event,
      claims,
      result.verdict,
      digest,
      result.determining,
      result.reasons,
      false,
      verificationFailure,
    ),
  };
}
