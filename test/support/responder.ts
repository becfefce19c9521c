import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { Decision, Verdict } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import type { RequestEvent } from '../../src/events/request.ts';
import { verifyRequest } from '../../src/events/request-verifying.ts';
import { PublisherCache } from '../../src/service/reply-publishers.ts';
import type { IncomingMessage, Transport } from '../../src/transport/transport.ts';

export interface VerifiedIncoming {
  readonly event: RequestEvent;
  readonly requestDigest: string;
  readonly keyThumbprint: string;
  readonly message: IncomingMessage;
}

export interface Reply {
  /** A decision bound to this request, with the given fields overridden. */
  decision(verdict: Verdict, overrides?: Partial<Decision>): Decision;
  sign(decision: Decision, key?: JWK): Promise<string>;
  publish(payload: string | Uint8Array, properties?: Record<string, string>): Promise<void>;
}

export type Script = (request: VerifiedIncoming, reply: Reply) => Promise<void>;

/** Answers every request with one verdict, signed by the service key. */
export const answer =
  (verdict: Verdict, overrides: Partial<Decision> = {}): Script =>
  async (_request, reply) => {
    await reply.publish(await reply.sign(reply.decision(verdict, overrides)));
  };

/**
 * A stand-in decision service for the pipe's tests and the demo: consumes the request
 * topic, verifies each request's JWS, and lets a script publish whatever it likes on the
 * reply topic — a proper decision, or a forgery, a replay, garbage. It signs with the
 * same decision signer `serve` uses.
 */
export async function startResponder(options: {
  transport: Transport;
  topic: string;
  serviceKey: JWK;
  script: Script;
}): Promise<{ requests: VerifiedIncoming[]; errors: unknown[]; close(): Promise<void> }> {
  const signer = await createDecisionSigner(options.serviceKey);
  // As serve does: a producer per reply topic, kept open for the next request (no per-reply
  // producer handshake in the pipe's measured round trip, bench/run.ts).
  const publishers = new PublisherCache(options.transport);
  const subscription = await options.transport.subscribe(options.topic, `responder-${randomUUID()}`, {
    type: 'Exclusive',
    initialPosition: 'Latest',
  });
  const requests: VerifiedIncoming[] = [];
  const errors: unknown[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let message: IncomingMessage;
      try {
        message = await subscription.receive(Date.now() + 500);
      } catch {
        continue;
      }
      await subscription.ack(message);
      const verified = await verifyRequest(message.payload.toString('utf8'));
      if (!verified.ok) {
        errors.push(verified);
        continue;
      }
      const request: VerifiedIncoming = { ...verified, message };
      requests.push(request);
      const replyTopic = verified.event.data.replyTopic;
      const now = Date.now();
      const reply: Reply = {
        decision: (verdict, overrides = {}) => ({
          requestId: verified.event.id,
          requestDigest: verified.requestDigest,
          requestKeyThumbprint: verified.keyThumbprint,
          nonce: verified.event.data.nonce,
          verdict,
          reasons: verdict === 'deny' ? ['branch feature/x may not deploy to production'] : [],
          policy: { ids: ['prod-deploy'], digest: 'sha256-test' },
          issuedAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 300_000).toISOString(),
          ...overrides,
        }),
        sign: async (decision, key) =>
          key ? createDecisionSigner(key).then((s) => s.sign(decision)) : signer.sign(decision),
        publish: async (payload, properties) => {
          await publishers.publish(replyTopic, payload, { correlationId: verified.event.id, ...properties });
        },
      };
      try {
        await options.script(request, reply);
      } catch (error) {
        errors.push(error);
      }
    }
  })();
  return {
    requests,
    errors,
    close: async () => {
      stopped = true;
      await loop;
      await Promise.allSettled([subscription.close(), publishers.close()]);
    },
  };
}
