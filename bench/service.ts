// Decision service throughput and latency under N concurrent requests, beside a raw echo
// responder (consumes and replies, no verification, no policy), on each transport — the
// WebSocket API and pulsar:// (native client) — against the same broker, in the same run,
// rounds interleaved. Requests are signed beforehand so the client side costs the same. The
// service runs without an audit trail and with one (fsync'd trail file plus a Pulsar mirror,
// every environment audited, so each allow waits for the mirror: the worst case).
//   BENCH_REQUESTS (1000) BENCH_CONCURRENCY (32) BENCH_ROUNDS (3) BENCH_TRANSPORTS (websocket,native)

import { importDecryptionKeys } from '../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../src/keys/trusted-keys.ts';
import { startIssuer } from '../test/peers/oidc/issuer.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { signedRequest } from '../test/support/requester.ts';
import { drive } from './service-drive.ts';
import { startRig } from './service-rig.ts';
import { median, percentile } from './stats.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'websocket,native').split(',');

const broker = await reuseOrStartBroker();
const issuer = await startIssuer();
const { privateJwk: key, encryptionJwk, publicJwks } = await generateServiceKey();
// The pipe's side (the token sealed to the service) and the service's keyring, as serve holds it.
const sealTo = currentEncryptionKey(await parseTrustedKeys(publicJwks, 'bench'));
const keyring = await importDecryptionKeys({ keys: [encryptionJwk] }, 'bench keyring');

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

type Runs = Array<Awaited<ReturnType<typeof drive>>>;
const rigs = await Promise.all(
  TRANSPORTS.map(async (name) => {
    const url = name === 'native' ? broker.serviceUrl : broker.webSocketUrl;
    const rig = await startRig({
      url,
      token: broker.adminToken,
      issuer,
      key,
      keyring,
      concurrency: CONCURRENCY,
    });
    return { name, rig, runs: { echo: [] as Runs, service: [] as Runs, audited: [] as Runs } };
  }),
);
const measure = async (rig: (typeof rigs)[number]['rig'], topic: string, count = REQUESTS) =>
  drive(CONCURRENCY, rig.client, topic, `${topic}-replies`, await batch(`${topic}-replies`, count));
// Warm every path, then measure them interleaved, round after round.
for (const { rig } of rigs) for (const topic of Object.values(rig.topics)) await measure(rig, topic, 50);
for (let round = 0; round < ROUNDS; round++)
  for (const { rig, runs } of rigs)
    for (const what of ['echo', 'service', 'audited'] as const)
      runs[what].push(await measure(rig, rig.topics[what]));
for (const { rig } of rigs) await rig.stop();
await issuer.close();
await broker.stop();

const summary = (runs: Runs) => {
  const all = runs.flatMap((r) => r.latencies);
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
  };
};
const when = new Date().toISOString();
console.log(
  `\n${REQUESTS} requests × ${ROUNDS} rounds, ${CONCURRENCY} concurrent, ${when}, medians of rounds\n`,
);
console.log('| transport | figure | throughput | p50 | p99 | vs echo (same transport) |');
console.log('|---|---|---|---|---|---|');
const byName = new Map<string, Record<'echo' | 'service' | 'audited', ReturnType<typeof summary>>>();
for (const { name, runs } of rigs) {
  const s = { echo: summary(runs.echo), service: summary(runs.service), audited: summary(runs.audited) };
  byName.set(name, s);
  for (const what of ['echo', 'service', 'audited'] as const) {
    const f = s[what];
    const ratio = what === 'echo' ? '—' : (f.perSecond / s.echo.perSecond).toFixed(2);
    console.log(
      `| ${name} | ${what} | ${f.perSecond.toFixed(0)}/s | ${f.p50.toFixed(1)} ms | ${f.p99.toFixed(1)} ms | ${ratio} |`,
    );
  }
}
const ws = byName.get('websocket');
const native = byName.get('native');
if (ws && native) {
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`\necho native / WebSocket: ${ratio(native.echo.perSecond, ws.echo.perSecond)}×`);
  console.log(
    `serve native / WebSocket: ${ratio(native.service.perSecond, ws.service.perSecond)}× (target ≥ 2)`,
  );
  console.log(
    `serve native / native echo: ${ratio(native.service.perSecond, native.echo.perSecond)} (target ≥ 0.6)`,
  );
  console.log(
    `serve native with / without audit: ${ratio(native.audited.perSecond, native.service.perSecond)} (target ≥ 0.7)`,
  );
}
