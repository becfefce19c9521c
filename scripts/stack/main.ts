// `npm run stack`: the decision service as a local stack to try it or to develop against: a
// Pulsar broker and two `serve` replicas on one Shared subscription, then how to point a pipe
// at it. `npm run stack -- down` stops what it started. deploy/compose.yaml is the same stack
// for a machine with Docker Compose and Pulsar's image; docs/operations.md says which to use.
// Settings: any `serve` variable (OIDC_ISSUERS, OIDC_AUDIENCES, BITBUCKET_TOKEN_FILE or
// ENVIRONMENT_MAP, TOPICS, …), STACK_REPLICAS (2), STACK_HTTP_PORT (9464: the first
// replica's), PULSAR_GATE_ENGINE (docker, podman or none), PULSAR_GATE_STACK_DIR.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from '../../test/peers/pulsar/distribution.ts';
import { stackBroker, stopBroker } from './broker.ts';
import { ROOT, stackConfig } from './config.ts';
import {
  pickEngine,
  type Replica,
  replicaLogs,
  startContainer,
  startProcess,
  stopReplica,
} from './replicas.ts';

const run = promisify(execFile);
const say = (line: string): void => void process.stderr.write(`pulsar-gate: stack: ${line}\n`);
const dir = process.env.PULSAR_GATE_STACK_DIR ?? join(cacheRoot(), 'stack');
const stateFile = join(dir, 'stack.json');
interface StackState {
  replicas: Replica[];
  brokerPid?: number;
}

async function down(): Promise<void> {
  if (!existsSync(stateFile)) return say('nothing to stop');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StackState;
  await Promise.all(state.replicas.map(stopReplica));
  if (state.brokerPid !== undefined) await stopBroker(state.brokerPid);
  rmSync(stateFile);
  say(
    `stopped ${state.replicas.length} replicas${state.brokerPid ? ' and the broker' : ''} (keys and state kept in ${dir})`,
  );
}

async function ready(replica: Replica): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    const status = await fetch(`http://127.0.0.1:${replica.port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}

async function up(): Promise<number> {
  if (existsSync(stateFile)) await down();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const broker = await stackBroker(process.env, dir);
  const state: StackState = { replicas: [], ...(broker.startedPid ? { brokerPid: broker.startedPid } : {}) };
  const save = (): void => writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  save();
  const keysDir = join(dir, 'keys');
  if (!existsSync(join(keysDir, 'service-key.json'))) {
    await run(process.execPath, [join(ROOT, 'cli/service/main.ts'), 'keys', 'generate', '--out', keysDir]);
  }
  let pulsarTokenFile: string | undefined;
  if (broker.adminToken) {
    pulsarTokenFile = join(dir, 'pulsar-token');
    writeFileSync(pulsarTokenFile, broker.adminToken, { mode: 0o600 });
  }
  const config = stackConfig(process.env, {
    pulsarUrl: broker.webSocketUrl,
    keysDir,
    ...(pulsarTokenFile ? { pulsarTokenFile } : {}),
  });
  if (config.problems.length > 0) {
    for (const problem of config.problems) say(problem);
    await down();
    return 2;
  }
  const engine = await pickEngine(process.env);
  const image = process.env.PULSAR_GATE_SERVICE_IMAGE ?? 'localhost/pulsar-gate-service:local';
  if (engine === 'podman' && !process.env.CONTAINERS_CONF) {
    // What scripts/image/lib.sh makes podman work with on these machines.
    process.env.CONTAINERS_CONF = join(cacheRoot(), 'image', 'containers.conf');
  }
  if (engine) {
    say(`building the service image with ${engine} (npm run image:service)`);
    await run('bash', [join(ROOT, 'scripts/image/build.sh'), 'service'], {
      env: { ...process.env, PULSAR_GATE_ENGINE: engine, PULSAR_GATE_SERVICE_IMAGE: image },
      maxBuffer: 64 * 1024 * 1024,
    });
  } else {
    say('no container engine: the replicas run as processes of the service bundle');
    await run(process.execPath, [join(ROOT, 'scripts/build.ts'), 'service'], { cwd: ROOT });
  }
  const prefix = `pulsar-gate-stack-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
  for (let i = 0; i < config.replicas; i++) {
    const replica = engine
      ? await startContainer(engine, image, config, dir, i, `${prefix}-${i + 1}`)
      : startProcess(config, dir, i);
    state.replicas.push(replica);
    save();
  }
  for (const replica of state.replicas) {
    if (!(await ready(replica))) {
      say(`replica on port ${replica.port} is not ready:\n${await replicaLogs(replica)}`);
      await down();
      return 1;
    }
  }
  const topic = config.topics.split(',')[0] ?? '';
  const lines = [
    `pulsar-gate stack is up: ${state.replicas.length} serve replicas on one Shared subscription (${config.env.SUBSCRIPTION ?? 'pulsar-gate-service'})`,
    `  broker        ${broker.describe}`,
    ...state.replicas.map(
      (r, i) =>
        `  replica ${i + 1}     ${r.kind === 'container' ? `container ${r.name} (${r.engine}, ${image})` : `process ${r.pid} (log ${r.log})`}: http://127.0.0.1:${r.port}/healthz /readyz /metrics`,
    ),
    `  keys          ${keysDir} (service-key.json and service-enc-keys.json are secret)`,
    '',
    'Point a pipe at it (pipe variables; a Bitbucket step must reach the broker, e.g. through a tunnel):',
    `  PULSAR_URL:    ${broker.webSocketUrl}`,
    `  TOPIC:         ${topic}`,
    `  DECISION_KEYS: '${readFileSync(join(keysDir, 'decision-keys.json'), 'utf8').trim()}'`,
    `                 (the file: ${join(keysDir, 'decision-keys.json')})`,
    `  PULSAR_TOKEN:  a token whose role may produce on ${topic} and consume its reply topic`,
    '',
    'Stop it: npm run stack -- down',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

const command = process.argv[2] ?? 'up';
if (command === 'down') await down();
else if (command === 'up') process.exitCode = await up();
else {
  say(`unknown command ${command}: up (default) or down`);
  process.exitCode = 2;
}
