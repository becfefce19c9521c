import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { Decision } from '../events/decision.ts';
import type { AuditLeaf } from '../events/decision-schema.ts';
import type { Answering } from './answering.ts';
import { decisionIdOf } from './decision-log.ts';
import { type GateGrant, signGateGrant } from './gate-grant.ts';
import type { DeciderPorts } from './ports.ts';

/** What signing needs of the request being answered: the request, and the signer and TTL. */
export type Signing = Pick<Answering, 'event' | 'requestDigest' | 'keyThumbprint' | 'policyDigest'> & {
  readonly ports: Pick<DeciderPorts, 'signer' | 'decisionTtlMs'>;
};

/**
 * The decision the pipe verifies (docs/formats.md, "Decision"), made of the facts that
 * survived the audit (with the audit record's leaf, issue 15 §3), and signed.
 */
export async function signedDecision(
  to: Signing,
  facts: DecisionFacts,
  about: {
    /** Epoch ms the decision is made at: its expiry and the gate token's times count from it. */
    readonly now: number;
    /** Gate mode: the token an allow carries, checked before the policy was asked. */
    readonly grant?: GateGrant | undefined;
    readonly auditLeaf?: AuditLeaf | undefined;
  },
): Promise<{ readonly decision: Decision; readonly jws: string }> {
  const { event, requestDigest, keyThumbprint, ports, policyDigest } = to;
  const decisionId = decisionIdOf(event.id);
  // Only an allow that survived the audit carries a gate token (issue 14): never a deny or pending.
  const gateTokenJwe =
    facts.verdict === 'allow' && about.grant
      ? await signGateGrant(about.grant, decisionId, about.now)
      : undefined;
  const decision: Decision = {
    requestId: event.id,
    requestDigest,
    requestKeyThumbprint: keyThumbprint,
    nonce: event.data.nonce,
    verdict: facts.verdict,
    reasons: [...facts.reasons],
    policy: { ids: [...facts.policies], digest: policyDigest },
    issuedAt: facts.decidedAt,
    expiresAt: new Date(about.now + ports.decisionTtlMs).toISOString(),
    ...(facts.approvers ? { approvers: [...facts.approvers] } : {}),
    ...(facts.failedPath ? { failedPath: facts.failedPath } : {}),
    decisionId,
    ...(gateTokenJwe === undefined ? {} : { gateTokenJwe }),
    ...(about.auditLeaf ? { auditLeaf: about.auditLeaf } : {}),
  };
  return { decision, jws: await ports.signer.sign(decision) };
}
