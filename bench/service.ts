// Decision service throughput and latency under N concurrent requests, beside a raw echo
// responder (consumes and replies, no verification, no policy), on each transport — the
// WebSocket API and pulsar:// (native client) — against the same broker, in the same run,
// rounds interleaved. Requests are signed beforehand so the client side costs the same. The
// service runs without an audit trail and with one (fsync'd trail file plus a Pulsar mirror,
// every environment audited, so each allow waits for the mirror: the worst case), and with 2
// and 3 replicas on one request topic (all in this process, on the machine's cores: the cost
// of sharing, not scaling). Then, open loop, the service and the echo at 50% and 90% of the
// service's measured maximum: latency at a load, not only at saturation.
//   BENCH_REQUESTS (1000) BENCH_CONCURRENCY (32) BENCH_ROUNDS (3) BENCH_TRANSPORTS (websocket,native)

import { importDecryptionKeys } from '../src/keys/decryption-keys.ts';
import { generateServiceKey } from '../src/keys/service-keys.ts';
import { currentEncryptionKey } from '../src/keys/trusted-encryption-keys.ts';
import { parseTrustedKeys } from '../src/keys/trusted-keys.ts';
import { startIssuer } from '../test/peers/oidc/issuer.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { signedRequest } from '../test/support/requester.ts';
import { drive, type Load } from './service-drive.ts';
import { report } from './service-report.ts';
import { startRig } from './service-rig.ts';
import { median } from './stats.ts';

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
const CLOSED = ['echo', 'service', 'audited', 'replicas2', 'replicas3'] as const;
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
    const runs = Object.fromEntries(
      [...CLOSED, 'echo50', 'echo90', 'service50', 'service90'].map((f) => [f, []]),
    );
    return { name, rig, runs: runs as Record<string, Runs> };
  }),
);
const measure = async (
  rig: (typeof rigs)[number]['rig'],
  topic: string,
  count = REQUESTS,
  load: Load = { concurrency: CONCURRENCY },
) => drive(load, rig.client, topic, `${topic}-replies`, await batch(`${topic}-replies`, count));
const push = (runs: Record<string, Runs>, figure: string, run: Runs[number]) => {
  runs[figure] = [...(runs[figure] ?? []), run];
};
// Warm every path, then measure them interleaved, round after round.
for (const { rig } of rigs) for (const topic of Object.values(rig.topics)) await measure(rig, topic, 50);
for (let round = 0; round < ROUNDS; round++)
  for (const { rig, runs } of rigs)
    for (const what of CLOSED) push(runs, what, await measure(rig, rig.topics[what]));
// Open loop at fractions of the service's maximum (median of the closed-loop rounds), the echo
// at the same offered load as its baseline; half the requests, since each run lasts count/rate.
for (let round = 0; round < ROUNDS; round++)
  for (const { rig, runs } of rigs) {
    const max = median((runs.service ?? []).map((r) => r.perSecond));
    for (const share of [50, 90])
      for (const what of ['echo', 'service'] as const) {
        const load = { perSecond: (max * share) / 100 };
        push(runs, `${what}${share}`, await measure(rig, rig.topics[what], Math.ceil(REQUESTS / 2), load));
      }
  }
for (const { rig } of rigs) await rig.stop();
await issuer.close();
await broker.stop();
report({ requests: REQUESTS, rounds: ROUNDS, concurrency: CONCURRENCY }, rigs);
