import type { RequestEvent } from '../events/request.ts';
import type { PolicyDecision, VerifiedClaims } from '../policy/types.ts';
import { verifiedIdentity } from '../service/decision-record.ts';
import type { AuditRecord } from './entry.ts';

/**
 * The audit record of one decision. Built from named fields only, never by spreading the
 * request, so the identity token (and anything added to the request later) cannot slip in.
 */
export function auditRecord(input: {
  event: RequestEvent;
  claims: Partial<VerifiedClaims> | undefined;
  result: PolicyDecision;
  policyDigest: string;
  decidedAt: Date;
  verificationFailure?: string | undefined;
  replaces?: number;
}): AuditRecord {
  const { event, claims, result } = input;
  const p = event.data.pipeline;
  const c = event.data.credentials;
  return {
    requestId: event.id,
    identity: claims ? verifiedIdentity(claims) : null,
    action: event.data.action,
    resource: event.data.environment,
    verdict: result.verdict,
    reasons: result.reasons.slice(0, 16),
    policies: result.determining,
    policyDigest: input.policyDigest,
    ...(result.approvers?.length ? { approvers: result.approvers } : {}),
    pipeline: {
      workspace: p.workspace,
      repository: p.repository,
      repositoryUuid: p.repositoryUuid,
      pipelineUuid: p.pipelineUuid,
      stepUuid: p.stepUuid,
      buildNumber: p.buildNumber,
      commit: p.commit,
      branch: p.branch,
      tag: p.tag,
      deploymentEnvironment: p.deploymentEnvironment,
      deploymentEnvironmentUuid: p.deploymentEnvironmentUuid,
    },
    ...(c ? { role: { roleArn: c.roleArn, sessionName: c.sessionName } } : {}),
    requestedAt: event.time,
    decidedAt: input.decidedAt.toISOString(),
    ...(input.verificationFailure ? { verificationFailure: input.verificationFailure } : {}),
    ...(input.replaces !== undefined ? { replaces: input.replaces } : {}),
  };
}
