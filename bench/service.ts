// Decision service throughput and latency under N concurrent requests, beside a raw echo
// responder (consumes and replies, no verification, no policy) on the same broker, same
// client, same run. Requests are signed beforehand so the client side costs the same. The
// service runs twice: without an audit trail, and with one (fsync'd trail file plus a Pulsar
// mirror, every environment audited, so each allow waits for the mirror: the worst case).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/audit-log.ts';
import { createCheckpointSigner } from '../src/audit/checkpoint.ts';
import { createPulsarMirror } from '../src/audit/pulsar-mirror.ts';
import { createDecisionSigner } from '../src/events/decision-signing.ts';
import { createStepTokenVerifier } from '../src/identity/verify-step-token.ts';
import { importDecryptionKeys } from '../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../src/keys/trusted-keys.ts';
import { loadPolicySet } from '../src/policy/load-policy-set.ts';
import { DecisionLedger } from '../src/service/decision-ledger.ts';
import { DecisionTable } from '../src/service/decision-table.ts';
import { Metrics } from '../src/service/metrics.ts';
import { DEFAULT_REPLY_TEMPLATE } from '../src/service/reply-template.ts';
import { InMemoryRequestLimiter } from '../src/service/request-limits.ts';
import { startService } from '../src/service/serve.ts';
import { tokenKeys } from '../src/service/token-keys.ts';
import { systemClock } from '../src/time.ts';
import { WebSocketTransport } from '../src/transport/websocket/transport.ts';
import { startIssuer } from '../test/peers/oidc/issuer.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { siteFacts } from '../test/support/bitbucket.ts';
import { signedRequest } from '../test/support/requester.ts';
import { drive } from './service-drive.ts';
import { median, percentile } from './stats.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const POLICY_DIR = new URL('../examples/policies', import.meta.url).pathname;

const broker = await reuseOrStartBroker();
const issuer = await startIssuer();
const transport = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });

async function batch(replyTopic: string, count: number) {
  const out: Array<{ id: string; jws: string; key?: string }> = [];
  for (let i = 0; i < count; i++) {
    const { event, signed } = await signedRequest(issuer, {
      sealTo,
      replyTopic,
      mint: { branchName: 'main' },
      environment: 'staging',
    });
    // Keyed by the step, as the pipe keys it (the service's Key_Shared routing checks it).
    const key = event.data.pipeline.stepUuid;
    out.push({ id: event.id, jws: signed.jws, ...(key === undefined ? {} : { key }) });
  }
  return out;
}

const run = randomUUID().slice(0, 8);
// The echo responder: the floor any responder on this broker and client pays.
const echoTopic = `bench-echo-${run}`;
const echoIn = await transport.subscribe(echoTopic, 'echo', { type: 'Shared' });
let echoing = true;
const echo = (async () => {
  const out = await transport.publisher(`${echoTopic}-replies`);
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

const { privateJwk: key, encryptionJwk, publicJwks } = await generateServiceKey();
// The pipe's side (the token sealed to the service) and the service's keyring, as serve holds it.
const sealTo = currentEncryptionKey(await parseTrustedKeys(publicJwks, 'bench'));
const keyring = await importDecryptionKeys({ keys: [encryptionJwk] }, 'bench keyring');
const auditDir = await mkdtemp(join(tmpdir(), 'pulsar-gate-bench-audit-'));
const audit = await AuditLog.open({
  dir: auditDir,
  mirrors: [createPulsarMirror(transport, `bench-audit-${run}`)],
  signer: await createCheckpointSigner(key),
  auditedEnvironments: ['*'],
  mirrorTimeoutMs: 10_000,
  checkpointIntervalMs: 60_000,
  clock: systemClock,
  log: () => {},
});
const startDecisionService = async (topic: string, withAudit: boolean) =>
  startService({
    transport,
    topics: [topic],
    subscription: 'service',
    deadLetterTopic: (t) => `${t}-dlq`,
    replyTemplate: DEFAULT_REPLY_TEMPLATE,
    reservedTopics: [],
    ports: {
      tokenKeys: tokenKeys(keyring, { clock: systemClock, reload: async () => keyring, log: () => {} })
        .lookup,
      verifier: createStepTokenVerifier({
        issuers: [issuer.url],
        audiences: [issuer.audience],
        allowInsecureIssuer: true,
      }),
      policy: await loadPolicySet(POLICY_DIR).then((engine) => () => engine),
      signer: await createDecisionSigner(key),
      // Every decision recorded on, and read back from, a decisions topic of its own (P2).
      replay: await DecisionLedger.open({
        transport,
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
    concurrency: CONCURRENCY,
    decisionLog: () => {},
    log: () => {},
  });
const serviceTopic = `bench-service-${run}`;
const auditedTopic = `bench-audited-${run}`;
const service = await startDecisionService(serviceTopic, false);
const audited = await startDecisionService(auditedTopic, true);

const client = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });
/** One batch of signed requests to `topic`, replies on `<topic>-replies`; `count` to warm up. */
const measure = async (topic: string, count = REQUESTS) =>
  drive(CONCURRENCY, client, topic, `${topic}-replies`, await batch(`${topic}-replies`, count));
// Warm every path, then measure them interleaved in two rounds each.
for (const topic of [echoTopic, serviceTopic, auditedTopic]) await measure(topic, 50);
const echoRuns: Array<Awaited<ReturnType<typeof drive>>> = [];
const serviceRuns: typeof echoRuns = [];
const auditedRuns: typeof echoRuns = [];
for (let round = 0; round < 2; round++) {
  echoRuns.push(await measure(echoTopic));
  serviceRuns.push(await measure(serviceTopic));
  auditedRuns.push(await measure(auditedTopic));
}
echoing = false;
await echo;
await service.stop();
await audited.stop();
await audit.close();
await rm(auditDir, { recursive: true, force: true });
await client.close();
await transport.close();
await issuer.close();
await broker.stop();

const summary = (runs: typeof echoRuns) => {
  const all = runs.flatMap((r) => r.latencies);
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
  };
};
const s = summary(serviceRuns);
const a = summary(auditedRuns);
const e = summary(echoRuns);
console.log(`\n${REQUESTS} requests × 2 rounds, ${CONCURRENCY} concurrent, ${new Date().toISOString()}\n`);
console.log('| figure | decision service | echo responder | ratio | target |');
console.log('|---|---|---|---|---|');
console.log(
  `| throughput | ${s.perSecond.toFixed(0)}/s | ${e.perSecond.toFixed(0)}/s | ${(s.perSecond / e.perSecond).toFixed(2)} | ≥ 0.50 (${s.perSecond / e.perSecond >= 0.5 ? 'meets' : 'misses'}) |`,
);
console.log(
  `| latency p50 | ${s.p50.toFixed(1)} ms | ${e.p50.toFixed(1)} ms | ${(s.p50 / e.p50).toFixed(2)}× | — |`,
);
console.log(
  `| latency p99 | ${s.p99.toFixed(1)} ms | ${e.p99.toFixed(1)} ms | ${(s.p99 / e.p99).toFixed(2)}× | ≤ 2× (${s.p99 / e.p99 <= 2 ? 'meets' : 'misses'}) |`,
);
console.log(
  `| with audit trail: throughput | ${a.perSecond.toFixed(0)}/s | ${e.perSecond.toFixed(0)}/s | ${(a.perSecond / e.perSecond).toFixed(2)} | — |`,
);
console.log(
  `| with audit trail: latency p50 | ${a.p50.toFixed(1)} ms | ${e.p50.toFixed(1)} ms | ${(a.p50 / e.p50).toFixed(2)}× | — |`,
);
console.log(
  `| with audit trail: latency p99 | ${a.p99.toFixed(1)} ms | ${e.p99.toFixed(1)} ms | ${(a.p99 / e.p99).toFixed(2)}× | — |`,
);
