import type { Decision } from '../events/decision.ts';
import type { RequestEvent } from '../events/request.ts';
import { verifyRequest } from '../events/request-signing.ts';
import type { PolicyDecision, VerifiedClaims } from '../policy/types.ts';
import type { DeciderPorts } from './ports.ts';

export const MAX_REQUEST_BYTES = 64 * 1024;

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

export type Outcome =
  | {
      readonly kind: 'decided';
      readonly replyTopic: string;
      readonly requestId: string;
      readonly jws: string;
      readonly record: DecisionRecord;
    }
  /** Not a request we can answer: dead-letter it with the reason. */
  | { readonly kind: 'poison'; readonly reason: string };

/**
 * Decides one request message: verify the request's signature, the step token (P3), the
 * request against its token, replay rules (P2), then the policy; sign the decision and
 * record it before it is published. A request whose signature verifies but fails a later
 * check gets a signed deny bound to it, so the pipe stops waiting; an unverifiable one is
 * poison (its reply topic cannot be trusted).
 */
export async function decideRequest(payload: Buffer, ports: DeciderPorts): Promise<Outcome> {
  if (payload.length > MAX_REQUEST_BYTES)
    return { kind: 'poison', reason: `oversized: ${payload.length} bytes` };
  const verified = await verifyRequest(payload.toString('utf8'), { maxBytes: MAX_REQUEST_BYTES });
  if (!verified.ok) return { kind: 'poison', reason: `${verified.reason}: ${verified.message}` };
  const { event, requestDigest, keyThumbprint } = verified;
  const now = ports.clock.now();
  const policy = ports.policy();

  const token = await ports.verifier.verify(event.data.identityToken);
  if (!token.ok) {
    return deny(event, requestDigest, keyThumbprint, ports, {
      reasons: [`the step's OIDC token was rejected: ${token.message}`],
      failedPath: `step OIDC token (${token.reason})`,
      verificationFailure: token.reason,
    });
  }
  const claims = token.claims;
  const mismatch = contradiction(event, claims);
  if (mismatch)
    return deny(event, requestDigest, keyThumbprint, ports, {
      reasons: [mismatch],
      failedPath: 'request identity',
      claims,
      verificationFailure: 'identity-mismatch',
    });

  const replay = ports.guard.check({
    requestId: event.id,
    requestDigest,
    stepUuid: claims.stepUuid,
    keyThumbprint,
    eventTime: Date.parse(event.time),
    now,
  });
  if (replay.kind === 'redelivered') {
    return {
      kind: 'decided',
      replyTopic: event.data.replyTopic,
      requestId: event.id,
      jws: replay.decisionJws,
      record: record(event, claims, replay.verdict, policy.digest, [], [], true),
    };
  }
  if (replay.kind === 'refused') {
    return deny(event, requestDigest, keyThumbprint, ports, {
      reasons: [replay.reason],
      failedPath: 'replay protection',
      claims,
      verificationFailure: 'replay',
      remember: false,
    });
  }
  const { identityToken: _token, ...request } = event.data;
  const result: PolicyDecision = policy.decide({ claims, request, now: new Date(now) });
  return finish(event, requestDigest, keyThumbprint, ports, result, claims);
}

/** The request must describe the same pipeline as its verified token. */
function contradiction(
  event: RequestEvent,
  claims: VerifiedClaims & { stepUuid: string },
): string | undefined {
  const p = event.data.pipeline;
  if (p.repositoryUuid && p.repositoryUuid !== claims.repositoryUuid)
    return 'the request names another repository than its token';
  if (p.stepUuid && p.stepUuid !== claims.stepUuid) return 'the request names another step than its token';
  if (p.deploymentEnvironmentUuid && p.deploymentEnvironmentUuid !== claims.deploymentEnvironmentUuid) {
    return 'the request names another deployment environment than its token';
  }
  return undefined;
}

async function deny(
  event: RequestEvent,
  requestDigest: string,
  keyThumbprint: string,
  ports: DeciderPorts,
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
  return finish(
    event,
    requestDigest,
    keyThumbprint,
    ports,
    result,
    why.claims,
    why.verificationFailure,
    why.remember ?? true,
  );
}

async function finish(
  event: RequestEvent,
  requestDigest: string,
  keyThumbprint: string,
  ports: DeciderPorts,
  result: PolicyDecision,
  claims: (VerifiedClaims & { stepUuid: string }) | undefined,
  verificationFailure?: string,
  remember = true,
): Promise<Outcome> {
  const now = ports.clock.now();
  const digest = ports.policy().digest;
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

function record(
  event: RequestEvent,
  claims: Partial<VerifiedClaims> | undefined,
  verdict: Decision['verdict'],
  policyDigest: string,
  policies: readonly string[],
  reasons: readonly string[],
  redelivered: boolean,
  verificationFailure?: string,
): DecisionRecord {
  const identity = claims && {
    iss: claims.iss,
    sub: claims.sub,
    workspaceUuid: claims.workspaceUuid,
    repositoryUuid: claims.repositoryUuid,
    branchName: claims.branchName,
    deploymentEnvironmentUuid: claims.deploymentEnvironmentUuid,
  };
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
