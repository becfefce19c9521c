import type { Decision } from '../events/decision.ts';
import type { RequestEvent } from '../events/request.ts';
import type { VerifiedClaims } from '../policy/types.ts';

/** One entry of the decision log (OPA-style); never a token or a credential. */
export interface DecisionRecord {
  readonly decisionId: string;
  readonly requestId: string;
  readonly identity: Readonly<Record<string, string | undefined>> | undefined;
  readonly action: string;
  readonly resource: string;
  readonly verdict: Decision['verdict'];
  readonly policies: readonly string[];
  readonly policyDigest: string;
  readonly reasons: readonly string[];
  readonly redelivered: boolean;
  readonly verificationFailure?: string;
}

export function record(
  event: RequestEvent,
  claims: Partial<VerifiedClaims> | undefined,
  verdict: Decision['verdict'],
  policyDigest: string,
  policies: readonly string[],
  reasons: readonly string[],
  redelivered: boolean,
  verificationFailure?: string,
): DecisionRecord {
  const identity = claims && verifiedIdentity(claims);
  return {
    decisionId: `${event.id}:${redelivered ? 'redelivery' : 'decision'}`,
    requestId: event.id,
    identity,
    action: event.data.action,
    resource: event.data.environment,
    verdict,
    policies,
    policyDigest,
    reasons,
    redelivered,
    ...(verificationFailure ? { verificationFailure } : {}),
  };
}

/** The verified claims a log or audit record names the caller by (never the token itself). */
export function verifiedIdentity(claims: Partial<VerifiedClaims>): Record<string, string | undefined> {
  return {
    iss: claims.iss,
    sub: claims.sub,
    workspaceUuid: claims.workspaceUuid,
    repositoryUuid: claims.repositoryUuid,
    branchName: claims.branchName,
    deploymentEnvironmentUuid: claims.deploymentEnvironmentUuid,
  };
}
