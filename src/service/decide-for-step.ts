import { type DeclaredStep, resolveStepFacts } from '../bitbucket/step-facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { RequestEvent } from '../events/request.ts';
import type { PolicyDecision, PolicyEngine } from '../policy/types.ts';
import { deny, finish, handedOutAgain, secondKeyDeny } from './answer.ts';
import type { Answering } from './answering.ts';
import { gateGrantFor, gateKeyOf } from './gate-grant.ts';
import type { Outcome } from './outcome.ts';
import { replyTopicMismatch } from './reply-mismatch.ts';

/** Where the request came from and where it is answered. */
export interface Route {
  /** Derived from the request topic, never the request's word. */
  readonly replyTopic: string;
  /** The message's key: the pipe sets its step's uuid (Key_Shared routing). */
  readonly messageKey: string | undefined;
}

/** The step's turn: replay rules, routing, reply topic, facts at Bitbucket, then the policy. */
export async function decideForStep(
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
