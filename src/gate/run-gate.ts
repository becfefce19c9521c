import { GateError } from '../errors.ts';
import type { Decision } from '../events/decision.ts';
import { buildRequestEvent } from '../events/request.ts';
import { secondsLeft } from '../identity/step-token.ts';
import { credentialMetadata, credentialsAfterAllow } from './credentials-after-allow.ts';
import type { GatePorts, GateRequest, GateResult } from './ports.ts';
import { prepare } from './prepare.ts';

/**
 * The pipe's flow (README, "Details"): identity → scoped credentials → attach to the reply topic →
 * signed request → verified decision → credentials written only on allow. Any failure
 * throws a GateError; nothing is written unless the decision is a verified allow.
 */
export async function runGate(ports: GatePorts, request: GateRequest): Promise<GateResult> {
  const { clock, log } = ports;
  const started = clock.now();
  log.secret(request.token.value);
  checkTokenLifetime(request, started, log);

  const prepared = await prepare(ports, request);
  const { trust, credentials, attachment, publisher, signer, identityTokenJwe, runKey } = prepared;
  log.debug(`credentials and Pulsar ready after ${clock.now() - started} ms`);
  if (credentials)
    log.info(`✓ Assumed ${credentials.assumedRoleArn} until ${credentials.expiration.toISOString()}`);
  let closingProducer: Promise<void> | undefined;
  let closing: Promise<unknown> | undefined;
  const closeAll = () =>
    Promise.allSettled([attachment.close(), closingProducer ?? publisher.close(), trust.close()]);
  try {
    const deadline = clock.now() + request.timeoutMs;
    const event = buildRequestEvent({
      now: new Date(clock.now()),
      data: {
        action: request.action,
        environment: request.environment,
        pipeline: request.pipeline,
        credentials: credentialMetadata(request, credentials),
        replyTopic: request.replyTopic,
        expiresAt: new Date(deadline).toISOString(),
        identityTokenJwe,
        ...(runKey ? { replyEncryptionKey: runKey.publicJwk } : {}),
      },
    });
    const signed = await signer.sign(event);
    await publisher.publish({
      payload: signed.jws,
      properties: { correlationId: event.id, type: event.type, replyTopic: request.replyTopic },
      // The service's Key_Shared subscription routes by this key, so all of a step's requests
      // meet one replica at a time; it checks the key against the verified token's stepUuid
      // (P2, docs/architecture.md "One decision per request, across replicas").
      key: request.token.claims.stepUuid ?? event.id,
    });
    // The producer's work is done: its close handshake overlaps with the wait.
    closingProducer = publisher.close();
    log.info(
      `→ Requested ${request.action} to ${request.environment} on ${request.topic} (request ${event.id})`,
    );
    const { waitForDecision } = await import('./wait-for-decision.ts');
    const decision = await waitForDecision({
      attachment,
      trust: (until) => trust.current(until),
      expect: {
        requestId: event.id,
        requestDigest: signed.requestDigest,
        nonce: event.data.nonce,
        requestKeyThumbprint: signed.keyThumbprint,
      },
      deadline,
      timeoutMs: request.timeoutMs,
      heartbeatMs: request.heartbeatMs,
      clock,
      log,
    });
    log.debug(`decision ${decision.verdict} after ${clock.now() - started} ms`);
    // The wait is over: unsubscribe from the reply topic while the files are written.
    closing = closeAll();
    if (decision.verdict !== 'allow') throw denied(decision);
    const minted = await credentialsAfterAllow(ports, request, decision, prepared);
    const outputs = await ports.writeOutputs(minted, decision);
    return {
      decision,
      requestId: event.id,
      elapsedMs: clock.now() - started,
      outputs,
      assumedRoleArn: minted.assumedRoleArn,
      expiration: minted.expiration,
      mode: request.mode,
    };
  } finally {
    await (closing ?? closeAll());
  }
}

function checkTokenLifetime(request: GateRequest, now: number, log: GatePorts['log']): void {
  const left = secondsLeft(request.token, now);
  if (left <= 0) {
    throw new GateError('TOKEN_EXPIRED', `the step's OIDC token expired ${-left} s ago`, {
      details: { path: 'step OIDC token' },
    });
  }
  if (left * 1000 < request.timeoutMs) {
    log.warn(
      `⚠ The step token expires in ${left} s, before TIMEOUT (${Math.round(request.timeoutMs / 1000)} s)`,
    );
  }
}

function denied(decision: Decision): GateError {
  const reasons = decision.reasons.length ? decision.reasons.join('; ') : 'no reason given';
  const policies = decision.policy.ids.join(', ') || 'default deny';
  return new GateError('DENIED', reasons, {
    details: {
      path: decision.failedPath ?? `policy ${policies}`,
      policies,
      requestId: decision.requestId,
      ...(decision.decisionId ? { decisionId: decision.decisionId } : {}),
    },
  });
}
