// npm run bench: each figure beside a baseline measured in the same run, interleaved, as
// medians over RUNS runs (these machines are noisy: read the ratios).
//  (a) cold start: process start → first network call, vs `node -e 0` start → exit
//  (b) whole pipe run against the local broker and STS with an instantly answering signer,
//      vs a minimal ws script doing one publish and one reply on the same broker; both sides
//      with a warm V8 compile cache, as the image runs (and again without: (b′))
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketTransport } from '../src/transport/websocket/transport.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { ROLE_ARN, startGateWorld } from '../test/support/gate-world.ts';
import { answer, startResponder } from '../test/support/responder.ts';
import { runPipe } from '../test/support/run-pipe.ts';
import { exitTime, firstNetworkCall } from './process-timing.ts';
import { row } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);

await exitTime(['scripts/build.ts']);
const world = await startGateWorld();
// (a) first, while nothing else runs on the machine: a broker JVM beside it skews both sides.
const coldEnv = await world.stepEnv({
  cloneDir: await world.cloneDir(),
  variables: {
    PULSAR_URL: 'ws://127.0.0.1:9',
    TOPIC: 'cold',
    ROLE: ROLE_ARN,
    DECISION_KEYS: world.decisionKeys,
    TIMEOUT: '5',
  },
});
const cold: number[] = [];
const nodeBare: number[] = [];
const wsFloor: number[] = [];
for (let i = 0; i < RUNS; i++) {
  nodeBare.push(await exitTime(['-e', '0']));
  wsFloor.push(await firstNetworkCall({}, ['bench/baseline-connect.mjs', 'ws://127.0.0.1:{port}']));
  cold.push(await firstNetworkCall(coldEnv));
}
const broker = await reuseOrStartBroker();
const transport = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });
const topic = `bench-gate-${Date.now()}`;
const responder = await startResponder({
  transport,
  topic,
  serviceKey: world.serviceKey,
  script: answer('allow'),
});
const echoIn = await transport.subscribe(`bench-ping-${topic}`, 'echo', { type: 'Shared' });
const echoOut = await transport.publisher(`bench-pong-${topic}`);
let echoing = true;
const echo = (async () => {
  while (echoing) {
    const message = await echoIn.receive(Date.now() + 500).catch(() => undefined);
    if (message) {
      await echoIn.ack(message);
      await echoOut.publish({ payload: message.payload });
    }
  }
})();

const clone = await world.cloneDir();
const env = await world.stepEnv({
  cloneDir: clone,
  variables: world.pipeVariables(broker, topic),
});
// The image ships a V8 compile cache made at build time (scripts/image/warm-compile-cache.ts),
// so (b) runs both sides with a warm one — each side's first, untimed run fills it — and
// (b′) both without.
const cache = { NODE_COMPILE_CACHE: await mkdtemp(join(tmpdir(), 'pulsar-gate-bench-cache-')) };
const minimalRun = (extra: Record<string, string>) =>
  exitTime(
    [
      'bench/baseline-roundtrip.mjs',
      broker.webSocketUrl,
      broker.adminToken ?? '',
      `bench-ping-${topic}`,
      `bench-pong-${topic}`,
    ],
    extra,
  );
const pipeRun = async (extra: Record<string, string>) => {
  const run = await runPipe({ ...env, ...extra }, { cwd: clone, entry: 'bundle' });
  if (run.code !== 0) throw new Error(`pipe run failed: ${run.output}`);
  return run.ms;
};
await minimalRun(cache);
await pipeRun(cache);
const pipe: number[] = [];
const minimal: number[] = [];
const pipeNoCache: number[] = [];
const minimalNoCache: number[] = [];
for (let i = 0; i < RUNS; i++) {
  minimal.push(await minimalRun(cache));
  pipe.push(await pipeRun(cache));
  minimalNoCache.push(await minimalRun({}));
  pipeNoCache.push(await pipeRun({}));
}
await rm(cache.NODE_COMPILE_CACHE, { recursive: true, force: true });
echoing = false;
await echo;
await responder.close();
await transport.close();
await world.close();
await broker.stop();

console.log(
  `\n${RUNS} runs each, ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`,
);
console.log('| figure | pulsar-gate (median) | baseline (median) | ratio | target |');
console.log('|---|---|---|---|---|');
console.log(row('(a) cold start → first network call, vs `node -e 0`', cold, nodeBare, 2));
console.log(row('(a′) the same, vs a bare `ws` client connecting', cold, wsFloor, 2));
console.log(row('(a″) a bare `ws` client connecting, vs `node -e 0`', wsFloor, nodeBare, 2));
console.log(
  row('(b) whole pipe run (allow), vs minimal ws publish + reply; both with compile cache', pipe, minimal, 2),
);
console.log(row('(b′) the same, both without compile cache', pipeNoCache, minimalNoCache, 2));
