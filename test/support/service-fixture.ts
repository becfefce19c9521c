import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { BitbucketFacts } from '../../src/bitbucket/facts.ts';
import type { DecisionFacts } from '../../src/decision/decision-facts.ts';
import { type Decision, verifyDecision } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { createStepTokenVerifier } from '../../src/identity/verify-step-token.ts';
import { importDecryptionKeys } from '../../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys, type TrustedKeys } from '../../src/keys/trusted-keys.ts';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import type { PolicyEngine } from '../../src/policy/types.ts';
import { DecisionLedger } from '../../src/service/decision-ledger.ts';
import type { DecisionLogEntry } from '../../src/service/decision-log.ts';
import { DecisionTable } from '../../src/service/decision-table.ts';
import { Metrics } from '../../src/service/metrics.ts';
import type { AuditPort, DecisionSignerPort } from '../../src/service/ports.ts';
import type { ReservedTopic } from '../../src/service/reply-routes.ts';
import { DEFAULT_REPLY_TEMPLATE, type ReplyTemplate } from '../../src/service/reply-template.ts';
import { InMemoryRequestLimiter, type RequestLimiter } from '../../src/service/request-limits.ts';
import { startService } from '../../src/service/serve.ts';
import type { RunningService } from '../../src/service/service-options.ts';
import { tokenKeys } from '../../src/service/token-keys.ts';
import type { Clock } from '../../src/time.ts';
import { systemClock } from '../../src/time.ts';
import type {
  IncomingMessage,
  OutgoingMessage,
  Publisher,
  TokenSource,
  Transport,
} from '../../src/transport/transport.ts';
import { type Issuer, startIssuer } from '../peers/oidc/issuer.ts';
import type { BrokerInfo } from '../peers/pulsar/types.ts';
import { topicName } from '../transport/contract.ts';
import { siteFacts } from './bitbucket.ts';
import { brokerInfo } from './broker.ts';
import { type RequestOptions, signedRequest } from './requester.ts';
import { openVia, type Via } from './transports.ts';

export const POLICY_DIR = new URL('../../examples/policies', import.meta.url).pathname;
/** Tuesday noon UTC: outside any weekend rule of the sample policies. */
export const WEEKDAY = new Date('2026-11-24T12:00:00Z');

/** The decision service, in-process, against the real broker, issuer and policy set. */
export async function serviceFixture(
  options: {
    policyDir?: string;
    stateDir?: string;
    now?: Date;
    /** The issuer whose step tokens the service trusts (default: a fresh one). */
    issuer?: Issuer;
    /** The service's own Pulsar credential (default: the superuser token). */
    token?: TokenSource;
    topic?: string;
    /** A broker of the test's own (default: the run's). */
    broker?: BrokerInfo;
    /** Environments a step without a deployment environment may ask for (default: none). */
    openEnvironments?: readonly string[];
    /** Where environments and pipelines are looked up (default: this process's Bitbucket). */
    facts?: BitbucketFacts;
    /** Where the replicas record decisions (default: `<topic>-decisions`, this fixture's own). */
    decisionsTopic?: string;
    /** The service's transport, and the harness's (default: the WebSocket API). */
    via?: Via;
  } = {},
) {
  const broker = options.broker ?? brokerInfo();
  const issuer: Issuer = options.issuer ?? (await startIssuer());
  const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
  const trusted: TrustedKeys = await parseTrustedKeys(publicJwks, 'test');
  // What the pipe encrypts the step token to, and the keyring the service decrypts it with.
  const sealTo = currentEncryptionKey(trusted);
  const keyring = await importDecryptionKeys({ keys: [encryptionJwk] }, 'test keyring');
  const via = options.via ?? 'WebSocket';
  const transport = openVia(broker, via, options.token ?? broker.adminToken);
  // Requests are published and replies read as the harness, whatever role the service has.
  const client = options.token === undefined ? transport : openVia(broker, via, broker.adminToken);
  const topic = options.topic ?? topicName('requests');
  const replyTopic = `${topic}-replies`;
  const decisionsTopic = options.decisionsTopic ?? `${topic}-decisions`;
  const decisions: DecisionLogEntry[] = [];
  const logs: string[] = [];
  let policy: PolicyEngine = await loadPolicySet(options.policyDir ?? POLICY_DIR);
  const clock = options.now ? { now: () => (options.now as Date).getTime() } : systemClock;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'pulsar-gate-state-')));
  const metrics = new Metrics();
  const facts = {
    facts: options.facts ?? (await siteFacts()),
    openEnvironments: options.openEnvironments ?? [],
  };
  const verifier = createStepTokenVerifier({
    issuers: [issuer.url],
    audiences: [issuer.audience],
    allowInsecureIssuer: true,
    now: () => new Date(),
  });

  /**
   * One replica: its own connection to the broker (so a test can cut it as a crash would),
   * its own decisions table, the fixture's request topic, subscription and decisions topic.
   */
  async function start(
    signingKey: JWK = privateJwk,
    own: {
      metrics?: Metrics;
      audit?: AuditPort;
      // Issue 13: where the service answers and how much (default: TOPIC-replies, no limit in reach).
      limits?: RequestLimiter;
      replyTemplate?: ReplyTemplate;
      reservedTopics?: readonly ReservedTopic[];
      encryptionKey?: JWK;
      /** Request topics this replica consumes (default: the fixture's one). */
      topics?: readonly string[];
      /** An approvals desk on this replica's connection, signer and decisions topic (issue 16). */
      approvals?: (parts: ReplicaParts) => Promise<ReplicaApprovals>;
    } = {},
  ): Promise<Replica> {
    const link = openVia(broker, via, options.token ?? broker.adminToken);
    const replay = await DecisionLedger.open({
      transport: link,
      topic: decisionsTopic,
      table: new DecisionTable(300_000, clock),
      timeoutMs: 10_000,
      warn: (message) => logs.push(`warn: ${message}`),
    });
    // Another world's keys (a pipe given its DECISION_KEYS): decrypt with its encryption key.
    const ring = own.encryptionKey
      ? await importDecryptionKeys({ keys: [own.encryptionKey] }, 'test keyring')
      : keyring;
    const signer = await createDecisionSigner(signingKey);
    const approvals = await own.approvals?.({ transport: link, replay, signer, clock });
    const service = await startService({
      transport: link,
      topics: own.topics ?? [topic],
      subscription: 'service',
      deadLetterTopic: (t) => `${t}-dlq`,
      replyTemplate: own.replyTemplate ?? DEFAULT_REPLY_TEMPLATE,
      reservedTopics: own.reservedTopics ?? [],
      ports: {
        tokenKeys: tokenKeys(ring, { clock, reload: async () => ring, log: () => {} }).lookup,
        verifier,
        policy: () => policy,
        signer,
        replay,
        limits:
          own.limits ?? new InMemoryRequestLimiter({ perStep: 1000, perRepositoryPerMinute: 100_000 }, clock),
        clock,
        decisionTtlMs: 300_000,
        ...(own.audit ? { audit: own.audit } : {}),
        facts,
      },
      metrics: own.metrics ?? metrics,
      concurrency: 16,
      decisionLog: (entry) => decisions.push(entry),
      log: (level, message) => logs.push(`${level}: ${message}`),
      ...(approvals ? { pending: approvals.pending } : {}),
    });
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopped ??= (async () => {
        await service.stop();
        await approvals?.close();
        await replay.close();
        await link.close();
      })());
    return {
      ...service,
      stop,
      // A crash as the broker sees it: the connection goes, nothing in flight is acknowledged.
      kill: async () => {
        await link.close();
        await stop();
      },
    };
  }

  let opened: Promise<Publisher> | undefined;
  const publisher = {
    // Keyed as the pipe keys it: by the step's uuid (read from the request, unverified: the
    // harness is the pipe here), unless the test chooses another key.
    publish: async (message: OutgoingMessage) => {
      opened ??= client.publisher(topic);
      const key = message.key ?? stepOf(message.payload);
      return (await opened).publish({ ...message, ...(key === undefined ? {} : { key }) });
    },
  };
  return {
    issuer,
    privateJwk,
    encryptionJwk,
    trusted,
    sealTo,
    transport,
    topic,
    replyTopic,
    decisions,
    logs,
    metrics,
    stateDir,
    start,
    setPolicy: (next: PolicyEngine) => {
      policy = next;
    },
    decisionsTopic,
    /** Publishes raw bytes on the request topic (keyed by the step when they are a request). */
    publishRaw: (payload: string | Uint8Array, key?: string) =>
      publisher.publish({ payload, ...(key === undefined ? {} : { key }) }),
    /** Signs and publishes a request, waits for its verified decision (or undefined at the deadline). */
    async ask(
      request: Omit<RequestOptions, 'replyTopic' | 'sealTo'> & { readonly replyTopic?: string } = {},
      waitMs = 15_000,
    ): Promise<{ decision: Decision | undefined; requestId: string; jws: string | undefined }> {
      const attachment = await client.attach(replyTopic);
      try {
        const { event, signed } = await signedRequest(issuer, {
          time: clock === systemClock ? new Date() : new Date(clock.now()),
          ...request,
          sealTo,
          replyTopic: request.replyTopic ?? replyTopic,
        });
        await publisher.publish({ payload: signed.jws, properties: { correlationId: event.id } });
        const deadline = Date.now() + waitMs;
        for (;;) {
          const message: IncomingMessage | undefined = await attachment
            .receive(deadline)
            .catch(() => undefined);
          if (!message) return { decision: undefined, requestId: event.id, jws: undefined };
          if (message.properties.correlationId !== event.id) continue;
          const jws = message.payload.toString();
          const result = await verifyDecision(jws, trusted, {
            requestId: event.id,
            requestDigest: signed.requestDigest,
            nonce: event.data.nonce,
            requestKeyThumbprint: signed.keyThumbprint,
            now: new Date(clock.now()),
          });
          if (!result.ok) throw new Error(`service sent an unverifiable decision: ${result.message}`);
          return { decision: result.decision, requestId: event.id, jws };
        }
      } finally {
        await attachment.close();
      }
    },
    async close() {
      await (await opened)?.close();
      await transport.close();
      if (client !== transport) await client.close();
      if (options.issuer === undefined) await issuer.close();
    },
  };
}

export type ServiceFixture = Awaited<ReturnType<typeof serviceFixture>>;

/** What a replica lends its approvals desk. */
export interface ReplicaParts {
  readonly transport: Transport;
  readonly replay: DecisionLedger;
  readonly signer: DecisionSignerPort;
  readonly clock: Clock;
}

export interface ReplicaApprovals {
  readonly pending: (facts: DecisionFacts, jws: string, replyTopic: string) => Promise<void>;
  close(): Promise<void>;
}

/** A replica of the service; `kill` drops its connection without acknowledging anything. */
export interface Replica extends RunningService {
  kill(): Promise<void>;
}

/** The `data.pipeline.stepUuid` a compact JWS request claims, if it is one. */
function stepOf(payload: string | Uint8Array): string | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  try {
    const event: unknown = JSON.parse(Buffer.from(text.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const step = (event as { data?: { pipeline?: { stepUuid?: unknown } } })?.data?.pipeline?.stepUuid;
    return typeof step === 'string' ? step : undefined;
  } catch {
    return undefined;
  }
}
