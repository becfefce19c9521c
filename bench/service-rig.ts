// One transport's side of bench/service.ts: an echo responder (consumes and replies, no
// verification, no policy), the decision service without and with the audit trail, and a
// client, all over the same transport against the same broker.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { AuditLog } from '../src/audit/audit-log.ts';
import { createCheckpointSigner } from '../src/audit/checkpoint.ts';
import { createPulsarMirror } from '../src/audit/pulsar-mirror.ts';
import { createDecisionSigner } from '../src/events/decision-signing.ts';
import { createStepTokenVerifier } from '../src/identity/verify-step-token.ts';
import type { DecryptionKeyring } from '../src/keys/decryption-keys.ts';
import { loadPolicySet } from '../src/policy/load-policy-set.ts';
import { DecisionLedger } from '../src/service/decision-ledger.ts';
import { DecisionTable } from '../src/service/decision-table.ts';
import { Metrics } from '../src/service/metrics.ts';
import { DEFAULT_REPLY_TEMPLATE } from '../src/service/reply-template.ts';
import { InMemoryRequestLimiter } from '../src/service/request-limits.ts';
import { startService } from '../src/service/serve.ts';
import { tokenKeys } from '../src/service/token-keys.ts';
import { systemClock } from '../src/time.ts';
import { openTransport } from '../src/transport/open.ts';
import type { Issuer } from '../test/peers/oidc/issuer.ts';
import { siteFacts } from '../test/support/bitbucket.ts';

const POLICY_DIR = new URL('../examples/policies', import.meta.url).pathname;

export interface RigOptions {
  readonly url: string;
  readonly token: string | undefined;
  readonly issuer: Issuer;
  readonly key: JWK;
  readonly keyring: DecryptionKeyring;
  readonly concurrency: number;
}

export async function startRig(o: RigOptions) {
  const run = randomUUID().slice(0, 8);
  const transport = openTransport({ url: o.url, token: o.token });
  const echoTopic = `bench-echo-${run}`;
  const echoIn = await transport.subscribe(echoTopic, 'echo', {
    type: 'Shared',
    receiverQueueSize: o.concurrency * 2,
  });
  let echoing = true;
  const echo = (async () => {
    const out = await transport.publisher(`${echoTopic}-replies`, { batch: true });
    while (echoing) {
      const message = await echoIn.receive(Date.now() + 300).catch(() => undefined);
      if (!message) continue;
      void out
        .publish({
          payload: message.payload,
          properties: { correlationId: message.properties.correlationId ?? '' },
        })
        .then(() => echoIn.ack(message));
    }
    await out.close();
  })();
  const auditDir = await mkdtemp(join(tmpdir(), 'pulsar-gate-bench-audit-'));
  const audit = await AuditLog.open({
    dir: auditDir,
    mirrors: [createPulsarMirror(transport, `bench-audit-${run}`)],
    signer: await createCheckpointSigner(o.key),
    auditedEnvironments: ['*'],
    mirrorTimeoutMs: 10_000,
    checkpointIntervalMs: 60_000,
    clock: systemClock,
    log: () => {},
  });
  const keyring = o.keyring;
  // A replica: its own decisions ledger (a table of its own, tailing `${topic}-decisions`,
  // which every replica of `topic` shares, P2) over the transport given.
  const start = async (topic: string, withAudit: boolean, over = transport) =>
    startService({
      transport: over,
      topics: [topic],
      subscription: 'service',
      deadLetterTopic: (t) => `${t}-dlq`,
      replyTemplate: DEFAULT_REPLY_TEMPLATE,
      reservedTopics: [],
      ports: {
        tokenKeys: tokenKeys(keyring, { clock: systemClock, reload: async () => keyring, log: () => {} })
          .lookup,
        verifier: createStepTokenVerifier({
          issuers: [o.issuer.url],
          audiences: [o.issuer.audience],
          allowInsecureIssuer: true,
        }),
        policy: await loadPolicySet(POLICY_DIR).then((engine) => () => engine),
        signer: await createDecisionSigner(o.key),
        // Every decision recorded on, and read back from, a decisions topic of its own (P2).
        replay: await DecisionLedger.open({
          transport: over,
          topic: `${topic}-decisions`,
          table: new DecisionTable(300_000, systemClock),
          timeoutMs: 10_000,
          warn: () => {},
        }),
        clock: systemClock,
        // The bench sends many requests from one step: limits out of reach, measured elsewhere.
        limits: new InMemoryRequestLimiter(
          { perStep: 1_000_000, perRepositoryPerMinute: 100_000 },
          systemClock,
        ),
        decisionTtlMs: 300_000,
        ...(withAudit ? { audit } : {}),
        // The test world's Bitbucket over HTTP, cached as serve caches it.
        facts: { facts: await siteFacts(), openEnvironments: [] },
      },
      metrics: new Metrics(),
      concurrency: o.concurrency,
      decisionLog: () => {},
      log: () => {},
    });
  const serviceTopic = `bench-service-${run}`;
  const auditedTopic = `bench-audited-${run}`;
  const service = await start(serviceTopic, false);
  const audited = await start(auditedTopic, true);
  // 2 and 3 replicas of the service (no audit trail) on one request topic, each replica with a
  // connection of its own, as separate processes would have (Key_Shared splits the steps).
  const replicas = await Promise.all(
    [2, 3].map(async (count) => {
      const topic = `bench-replicas${count}-${run}`;
      const own = Array.from({ length: count }, () => openTransport({ url: o.url, token: o.token }));
      const services = await Promise.all(own.map((t) => start(topic, false, t)));
      return { topic, own, services };
    }),
  );
  const client = openTransport({ url: o.url, token: o.token });
  return {
    client,
    topics: {
      echo: echoTopic,
      service: serviceTopic,
      audited: auditedTopic,
      replicas2: replicas[0]?.topic ?? '',
      replicas3: replicas[1]?.topic ?? '',
    },
    async stop() {
      echoing = false;
      await echo;
      await service.stop();
      await audited.stop();
      for (const r of replicas) {
        await Promise.all(r.services.map((s) => s.stop()));
        await Promise.all(r.own.map((t) => t.close()));
      }
      await audit.close();
      await rm(auditDir, { recursive: true, force: true });
      await client.close();
      await transport.close();
    },
  };
}
