import { auditRecord } from '../audit/audit-record.ts';
import { isGateError } from '../errors.ts';
import type { RequestEvent } from '../events/request.ts';
import type { PolicyDecision, VerifiedClaims } from '../policy/types.ts';
import type { AuditPort } from './ports.ts';

export const AUDIT_UNAVAILABLE_REASON = 'audit mirror unavailable';

/**
 * Writes the decision's audit record before the decision is signed, and returns the
 * verdict that may be published. An `allow` for an audited environment waits until every
 * mirror holds its record; when one does not in time the answer becomes a `deny` (fail
 * closed), recorded as replacing the allow that was never published. Everything else is
 * queued for the mirrors and decided at once. A failure of the local trail itself throws:
 * no decision goes out without its record, and the request is redelivered.
 */
export async function auditedVerdict(
  audit: AuditPort,
  input: {
    event: RequestEvent;
    claims: Partial<VerifiedClaims> | undefined;
    result: PolicyDecision;
    policyDigest: string;
    now: Date;
    verificationFailure: string | undefined;
  },
): Promise<PolicyDecision> {
  const { result } = input;
  const durable = result.verdict === 'allow' && audit.audited(input.event.data.environment);
  try {
    await audit.write(auditRecord({ ...input, decidedAt: input.now }), durable);
    return result;
  } catch (error) {
    if (!durable || !isGateError(error, 'AUDIT_UNAVAILABLE')) throw error;
    const denied: PolicyDecision = {
      verdict: 'deny',
      determining: [],
      reasons: [AUDIT_UNAVAILABLE_REASON],
      errors: [],
      failedPath: 'audit mirror',
    };
    const replaces = Number(error.details.seq);
    await audit.write(
      auditRecord({
        ...input,
        result: denied,
        decidedAt: input.now,
        ...(Number.isSafeInteger(replaces) ? { replaces } : {}),
      }),
      false,
    );
    return denied;
  }
}
