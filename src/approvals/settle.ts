import type { ApprovalAct } from '../decision/approval-facts.ts';
import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { Decision, Verdict } from '../events/decision.ts';
import { deepFreeze } from '../events/deep-freeze.ts';
import { auditedFacts } from '../service/audit-gate.ts';
import { decisionIdOf } from '../service/decision-log.ts';
import { type GateIssuerPort, grantGateTokenFor } from '../service/gate-grant.ts';
import type { AuditPort, DecisionSignerPort, ReplayPort } from '../service/ports.ts';
import type { Clock } from '../time.ts';
import type { OpenedRecord } from './records.ts';

/** What answering a pending request needs: the service's own signer, decisions topic and trail. */
export interface SettlePorts {
  readonly signer: DecisionSignerPort;
  readonly replay: ReplayPort;
  readonly audit?: AuditPort | undefined;
  /** Publishes a signed decision on the request's reply topic (correlation id: the request id). */
  readonly reply: (topic: string, requestId: string, jws: string) => Promise<void>;
  readonly clock: Clock;
  readonly decisionTtlMs: number;
  /** Each final decision's facts, for the decision log. */
  readonly decided: (facts: DecisionFacts) => void;
  /** GATE_ISSUER and its key: an approved allow in gate mode carries a gate token (issue 14). */
  readonly gateIssuer?: GateIssuerPort | undefined;
}

/** Who an act names in a decision: the verified name and their issuer's subject. */
export const actor = (a: ApprovalAct): string => `${a.approver.name} (${a.approver.sub})`;

/**
 * A `pending` decision that tells the waiting pipe how far the approvals got (lines such as
 * "1 of 2 approvals from release-managers — approve at …"). Bound to the request like every
 * decision; not recorded on the decisions topic — only a final verdict is.
 */
export async function publishProgress(
  ports: SettlePorts,
  opened: OpenedRecord,
  lines: readonly string[],
): Promise<void> {
  const jws = await ports.signer.sign(
    decisionFor(opened, ports, 'pending', [...lines], {
      approvers: [...new Set(opened.approval.flatMap((r) => r.groups))],
    }),
  );
  await ports.reply(opened.replyTopic, opened.requestId, jws);
}

/**
 * The final answer to a pending request once people settled it: an allow listing its
 * approvers, or a deny naming who rejected it and why. Audited like every decision (an allow
 * for an audited environment waits for the mirrors), then recorded on the decisions topic,
 * where the first final record for the request stands, across replicas (P2); the one that
 * stands is published.
 */
export async function publishFinal(
  ports: SettlePorts,
  opened: OpenedRecord,
  outcome: {
    readonly verdict: Extract<Verdict, 'allow' | 'deny'>;
    readonly reasons: string[];
    readonly acts: readonly ApprovalAct[];
  },
): Promise<void> {
  await ports.replay.withStep(opened.stepUuid, async () => {
    // Settled already (by another replica, or before a restart): hand out that one, audit nothing twice.
    const seen = ports.replay.check({
      requestId: opened.requestId,
      requestDigest: opened.requestDigest,
      stepUuid: opened.stepUuid,
      keyThumbprint: opened.keyThumbprint,
      eventTime: opened.eventTime,
    });
    if (seen.kind === 'redelivered' && seen.record.verdict !== 'pending')
      return ports.reply(opened.replyTopic, opened.requestId, seen.record.decisionJws);
    const now = ports.clock.now();
    const built: DecisionFacts = deepFreeze({
      ...opened.facts,
      verdict: outcome.verdict,
      reasons: outcome.reasons,
      acts: [...outcome.acts],
      ...(outcome.verdict === 'deny' ? { failedPath: 'approval' } : {}),
      decidedAt: new Date(now).toISOString(),
    });
    const audited = ports.audit ? await auditedFacts(ports.audit, built) : undefined;
    const facts = audited?.facts ?? built;
    const decisionId = decisionIdOf(opened.requestId);
    // As at decision time: only an allow that survived the audit carries a gate token, and only
    // to the key of the run that waits (the opened record keeps its public half).
    const gateTokenJwe =
      facts.verdict === 'allow'
        ? await grantGateTokenFor({
            replyKey: opened.replyEncryptionKey,
            facts,
            decisionId,
            now,
            issuer: ports.gateIssuer,
          })
        : undefined;
    const jws = await ports.signer.sign({
      ...decisionFor(opened, ports, facts.verdict, [...facts.reasons], {
        approvers: outcome.acts.map(actor),
        ...(facts.failedPath ? { failedPath: facts.failedPath } : {}),
      }),
      decisionId,
      ...(gateTokenJwe === undefined ? {} : { gateTokenJwe }),
      ...(audited ? { auditLeaf: audited.auditLeaf } : {}),
    });
    const settled = await ports.replay.record({
      requestId: opened.requestId,
      requestDigest: opened.requestDigest,
      stepUuid: opened.stepUuid,
      keyThumbprint: opened.keyThumbprint,
      verdict: facts.verdict,
      decisionJws: jws,
      eventTime: opened.eventTime,
      decidedAt: facts.decidedAt,
      bindsStep: true,
    });
    // The pending decision bound this step to this key: nothing else can have (P2).
    if (settled.kind === 'second-key') return;
    // Another replica settled it first: its decision is the one the pipe gets (the same verdict's rules).
    const stands = settled.kind === 'superseded' ? settled.record.decisionJws : jws;
    if (settled.kind === 'recorded') ports.decided(facts);
    await ports.reply(opened.replyTopic, opened.requestId, stands);
  });
}

function decisionFor(
  opened: OpenedRecord,
  ports: SettlePorts,
  verdict: Verdict,
  reasons: string[],
  extra: { approvers?: string[]; failedPath?: string },
): Decision {
  const now = ports.clock.now();
  return {
    requestId: opened.requestId,
    requestDigest: opened.requestDigest,
    requestKeyThumbprint: opened.keyThumbprint,
    nonce: opened.nonce,
    verdict,
    reasons: reasons.map((r) => r.slice(0, 1024)),
    policy: { ids: [...opened.policy.ids], digest: opened.policy.digest },
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ports.decisionTtlMs).toISOString(),
    ...(extra.approvers?.length
      ? { approvers: extra.approvers.slice(0, 64).map((a) => a.slice(0, 256)) }
      : {}),
    ...(extra.failedPath ? { failedPath: extra.failedPath } : {}),
  };
}
