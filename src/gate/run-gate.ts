import { createHash } from 'node:crypto';
import { secretsOf } from '../credentials/credentials.ts';
import { GateError } from '../errors.ts';
import type { Decision } from '../events/decision.ts';
import { buildRequestEvent } from '../events/request.ts';
import { secondsLeft } from '../identity/step-token.ts';
import type { GatePorts, GateRequest, GateResult } from './ports.ts';
import { waitForDecision } from './wait-for-decision.ts';

/**
 * The flow of DESIGN.md §2: identity → scoped credentials → attach to the reply topic →
 * signed request → verified decision → credentials written only on allow. Any failure
 * throws a GateError; nothing is written unless the decision is a verified allow.
 */
export async function runGate(ports: GatePorts, request: GateRequest): Promise<GateResult> {
  const { clock, log, transport } = ports;
  const started = clock.now();
  const trusted = await ports.trustedKeys();
  log.secret(request.token.value);
  checkTokenLifetime(request, started, log);

  // The exchange and attaching to the reply topic are independent: overlap them. Attaching
  // must only precede publishing (DESIGN.md §2.3), which needs the credentials' metadata.
  // Attach first: its connect is issued before the SDK behind the exchange is loaded.
  const attaching = transport.attach(request.replyTopic);
  const [exchange, attached] = await Promise.allSettled([
    ports.credentials.assume({
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      durationSeconds: request.durationSeconds,
      policy: request.sessionPolicy,
      policyArns: request.sessionPolicyArns,
      webIdentityToken: request.token.value,
      subject: request.token.claims.sub,
      audience: request.token.claims.aud,
    }),
    attaching,
  ]);
  if (exchange.status === 'rejected') {
    if (attached.status === 'fulfilled') await attached.value.close().catch(() => {});
    throw exchange.reason;
  }
  const credentials = exchange.value;
  for (const secret of secretsOf(credentials)) log.secret(secret);
  if (attached.status === 'rejected') throw attached.reason;
  const attachment = attached.value;
  log.info(`✓ Assumed ${credentials.assumedRoleArn} until ${credentials.expiration.toISOString()}`);
  try {
    const signer = await ports.newSigner();
    const deadline = clock.now() + request.timeoutMs;
    const event = buildRequestEvent({
      now: new Date(clock.now()),
      data: {
        action: request.action,
        environment: request.environment,
        pipeline: request.pipeline,
        credentials: {
          roleArn: request.roleArn,
          assumedRoleArn: credentials.assumedRoleArn,
          sessionName: request.sessionName,
          expiration: credentials.expiration.toISOString(),
          region: credentials.region,
          durationSeconds: request.durationSeconds,
          ...(request.sessionPolicy === undefined
            ? {}
            : { sessionPolicyDigest: digest(request.sessionPolicy) }),
          ...(request.sessionPolicyArns.length ? { policyArns: [...request.sessionPolicyArns] } : {}),
        },
        replyTopic: request.replyTopic,
        expiresAt: new Date(deadline).toISOString(),
        identityToken: request.token.value,
      },
    });
    const signed = await signer.sign(event);
    const publisher = await transport.publisher(request.topic);
    await publisher.publish({
      payload: signed.jws,
      properties: { correlationId: event.id, type: event.type, replyTopic: request.replyTopic },
      key: event.id,
    });
    log.info(
      `→ Requested ${request.action} to ${request.environment} on ${request.topic} (request ${event.id})`,
    );
    const decision = await waitForDecision({
      attachment,
      trusted,
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
    if (decision.verdict !== 'allow') throw denied(decision);
    const outputs = await ports.writeOutputs(credentials, decision);
    return {
      decision,
      requestId: event.id,
      elapsedMs: clock.now() - started,
      outputs,
      assumedRoleArn: credentials.assumedRoleArn,
      expiration: credentials.expiration,
    };
  } finally {
    await attachment.close().catch(() => {});
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
    details: { path: decision.failedPath ?? `policy ${policies}`, policies, requestId: decision.requestId },
  });
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
