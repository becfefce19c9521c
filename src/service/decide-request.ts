import { verifyRequest } from '../events/request-verifying.ts';
import { openStepToken } from '../events/token-seal.ts';
import { deny } from './answer.ts';
import type { Answering } from './answering.ts';
import { decideForStep, type Route } from './decide-for-step.ts';
import type { Outcome } from './outcome.ts';
import type { DeciderPorts } from './ports.ts';
import { contradiction } from './request-contradiction.ts';

export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Decides one request message: verify the request's signature, the step token (P3), the
 * request against its token, replay rules (P2), the facts established at Bitbucket (the
 * environment the token proves, the pipeline run it names), then the policy; sign the decision and
 * record it before it is published. A request whose signature verifies but fails a later
 * check gets a signed deny bound to it, so the pipe stops waiting; an unverifiable one is
 * poison. A step or repository over its limit is poison too: nothing signed, nothing recorded.
 * `replyTopic` is where the answer goes, derived from the request topic (never the request's
 * word); a request naming another one is denied, on `replyTopic`. A request whose message
 * key is not its verified step is denied (P2: the key routes it to a replica).
 */
export async function decideRequest(payload: Buffer, ports: DeciderPorts, route: Route): Promise<Outcome> {
  if (payload.length > MAX_REQUEST_BYTES)
    return { kind: 'poison', reason: `oversized: ${payload.length} bytes` };
  const verified = await verifyRequest(payload.toString('utf8'), { maxBytes: MAX_REQUEST_BYTES });
  if (!verified.ok) return { kind: 'poison', reason: `${verified.reason}: ${verified.message}` };
  const { event, requestDigest, keyThumbprint } = verified;
  const policy = ports.policy();
  const to: Answering = { event, requestDigest, keyThumbprint, ports, policyDigest: policy.digest };

  // Not a JWE to a key of ours, or not a JWS inside: the identity cannot even be read, so there
  // is nothing to decide on and no one to answer (P3 needs the token; P5 keeps it sealed).
  const opened = await openStepToken(event.data.identityTokenJwe, ports.tokenKeys);
  if (!opened.ok) return { kind: 'poison', reason: `identity token ${opened.reason}: ${opened.message}` };
  const token = await ports.verifier.verify(opened.token);
  if (!token.ok) {
    return deny(to, {
      reasons: [`the step's OIDC token was rejected: ${token.message}`],
      failedPath: `step OIDC token (${token.reason})`,
      verificationFailure: token.reason,
    });
  }
  const claims = token.claims;
  // Counted by the verified token before any signed answer, denies included (issue 13 §4).
  const admitted = await ports.limits.admit({
    stepUuid: claims.stepUuid,
    repositoryUuid: claims.repositoryUuid,
    requestId: event.id,
  });
  if (!admitted.ok) return { kind: 'poison', reason: admitted.reason };
  const mismatch = contradiction(event, claims);
  if (mismatch)
    return deny(to, {
      reasons: [mismatch],
      failedPath: 'request identity',
      claims,
      verificationFailure: 'identity-mismatch',
    });

  // Check and record run alone per step on this replica, after reading what every replica
  // decided (P2; src/service/decision-ledger.ts).
  return ports.replay.withStep(claims.stepUuid, () => decideForStep(to, claims, route, policy));
}
