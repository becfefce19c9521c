import { type DeclaredStep, resolveStepFacts } from '../bitbucket/step-facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { RequestEvent } from '../events/request.ts';
import { verifyRequest } from '../events/request-verifying.ts';
import { openStepToken } from '../events/token-seal.ts';
import type { PolicyDecision, PolicyEngine } from '../policy/types.ts';
import { deny, finish, handedOutAgain, secondKeyDeny } from './answer.ts';
import type { Answering } from './answering.ts';
import { gateGrantFor, gateKeyOf } from './gate-grant.ts';
import type { Outcome } from './outcome.ts';
import type { DeciderPorts } from './ports.ts';
import { replyTopicMismatch } from './reply-mismatch.ts';

export const MAX_REQUEST_BYTES = 64 * 1024;

/** Where the request came from and where it is answered. */
export interface Route {
  /** Derived from the request topic, never the request's word. */
  readonly replyTopic: string;
  /** The message's key: the pipe sets its step's uuid (Key_Shared routing). */
  readonly messageKey: string | undefined;
}

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

/** The step's turn: replay rules, routing, reply topic, facts at Bitbucket, then the policy. */
async function decideForStep(
  to: Answering,
  claims: VerifiedStep,
  route: Route,
  policy: PolicyEngine,
): Promise<Outcome> {
  const { event, requestDigest, keyThumbprint, ports } = to;
  const replay = ports.replay.check({
    requestId: event.id,
    requestDigest,
    stepUuid: claims.stepUuid,
    keyThumbprint,
    eventTime: Date.parse(event.time),
  });
  if (replay.kind === 'redelivered') return handedOutAgain(to, claims, replay.record);
  if (replay.kind === 'second-key') return secondKeyDeny(to, claims);
  if (replay.kind === 'refused') {
    const why = { reasons: [replay.reason], failedPath: 'replay protection', claims };
    return deny(to, { ...why, verificationFailure: 'replay', bind: 'none' });
  }
  // Replicas split the request topics by message key (Key_Shared), so a step's requests meet
  // one replica at a time; a key that is not the verified step would let one step reach two.
  if (route.messageKey !== claims.stepUuid) {
    const reason = `the request was published with another message key than its step's uuid ${claims.stepUuid}: use a pipe that keys requests by step`;
    return deny(to, {
      reasons: [reason],
      failedPath: 'request routing',
      claims,
      verificationFailure: 'message-key',
      bind: 'request',
    });
  }
  const otherReplyTopic = replyTopicMismatch(event, route.replyTopic);
  if (otherReplyTopic)
    return deny(to, {
      reasons: [otherReplyTopic],
      failedPath: 'reply topic',
      claims,
      verificationFailure: 'reply-topic-mismatch',
    });
  // Gate mode asked of a service that cannot issue gate tokens: a signed deny, not a silent allow.
  const gateKey = await gateKeyOf(event, ports.gateIssuer);
  if (!gateKey.ok)
    return deny(to, {
      reasons: [gateKey.problem],
      failedPath: 'gate token',
      claims,
      verificationFailure: 'gate-mode',
    });
  const established = await resolveStepFacts(claims, declaredStep(event), ports.facts);
  if (!established.ok) {
    return deny(to, {
      reasons: [established.reason],
      failedPath: established.failedPath,
      claims,
      ...(established.known ? { facts: established.known } : {}),
      verificationFailure: established.check,
    });
  }
  const { facts } = established;
  const granted =
    gateKey.key && ports.gateIssuer
      ? gateGrantFor(gateKey.key, ports.gateIssuer, { event, claims, facts })
      : undefined;
  if (granted && !granted.ok)
    return deny(to, {
      reasons: [granted.problem],
      failedPath: 'gate token',
      claims,
      facts,
      verificationFailure: 'gate-mode',
    });
  const now = new Date(ports.clock.now());
  const { identityTokenJwe: _token, replyEncryptionKey: _key, ...request } = event.data;
  const result: PolicyDecision = policy.decide({ claims, facts, request, now });
  return finish(to, result, { claims, facts, ...(granted ? { grant: granted.grant } : {}) });
}

/** What the request declares about its step: checked against Bitbucket, never believed. */
function declaredStep(event: RequestEvent): DeclaredStep {
  const { environment, pipeline } = event.data;
  return {
    environment,
    ...(pipeline.branch === undefined ? {} : { branch: pipeline.branch }),
    ...(pipeline.tag === undefined ? {} : { tag: pipeline.tag }),
    ...(pipeline.commit === undefined ? {} : { commit: pipeline.commit }),
  };
}

/** The request must describe the same pipeline as its verified token. */
function contradiction(event: RequestEvent, claims: VerifiedStep): string | undefined {
  const p = event.data.pipeline;
  if (p.repositoryUuid && p.repositoryUuid !== claims.repositoryUuid)
    return 'the request names another repository than its token';
  if (p.stepUuid && p.stepUuid !== claims.stepUuid) return 'the request names another step than its token';
  if (p.deploymentEnvironmentUuid && p.deploymentEnvironmentUuid !== claims.deploymentEnvironmentUuid) {
    return 'the request names another deployment environment than its token';
  }
  return undefined;
}
