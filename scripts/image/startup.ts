// Start-up of the containerised pipe, beside its baseline, medians of RUNS interleaved runs:
//  pipe: `<engine> run` of the pipe image (Bitbucket's way: env, clone dir, host network)
//        → the first TCP connection it makes (its STS call, to a listener here)
//  base: `<engine> run` of `node -e 0` in the same base image → exit
// Run `npm run image` first. Engine as scripts/image/build.sh picks it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../../bench/stats.ts';
import { ROLE_ARN, startGateWorld } from '../../test/support/gate-world.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = new URL('../..', import.meta.url);
const image = process.env.PULSAR_GATE_IMAGE ?? 'localhost/pulsar-gate:local';
const engine = execFileSync('bash', ['-c', '. scripts/image/lib.sh && pick_engine'], { cwd: root })
  .toString()
  .trim();
if (engine === 'podman')
  process.env.CONTAINERS_CONF ??= join(homedir(), '.cache/pulsar-gate/image/containers.conf');
const base = /^FROM\s+(\S+)/m.exec(await readFile(new URL('Dockerfile', root), 'utf8'))?.[1] ?? '';
const BUILD_DIR = '/opt/atlassian/pipelines/agent/build';
const common = ['run', '--pull=never', '--network=host'];

// kill first: `rm -f` would wait out the stop timeout, as node as PID 1 ignores SIGTERM.
function remove(name: string): void {
  spawnSync(engine, ['kill', name], { stdio: 'ignore' });
  spawnSync(engine, ['rm', '-f', name], { stdio: 'ignore' });
}

function exitTime(name: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(engine, [...common, '--name', name, ...args], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

async function firstNetworkCall(name: string, envFile: string, clone: string): Promise<number> {
  const bitbucket = ['-v', `${clone}:${BUILD_DIR}`, '-w', BUILD_DIR, '--env-file', envFile];
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const started = performance.now();
  const child = spawn(
    engine,
    [...common, '--name', name, ...bitbucket, '-e', `AWS_ENDPOINT_URL_STS=http://127.0.0.1:${port}`, image],
    { stdio: 'ignore' },
  );
  const ms = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the pipe container exited (${code}) before any network call`)),
    );
    server.once('connection', (socket) => {
      resolve(performance.now() - started);
      socket.destroy();
    });
  });
  child.removeAllListeners('exit');
  remove(name);
  server.close();
  return ms;
}

const world = await startGateWorld();
const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-startup-'));
const clone = await world.cloneDir();
const env = await world.stepEnv({
  cloneDir: BUILD_DIR,
  variables: {
    PULSAR_URL: 'ws://127.0.0.1:9',
    TOPIC: 'startup',
    ROLE: ROLE_ARN,
    DECISION_KEYS: world.decisionKeys,
    AWS_REGION: 'eu-west-1',
  },
});
const envFile = join(dir, 'env');
await writeFile(
  envFile,
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}\n`)
    .join(''),
  { mode: 0o600 },
);
const pipe: number[] = [];
const bare: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    bare.push(await exitTime(`pg-startup-base-${i}`, ['--entrypoint', 'node', base, '-e', '0']));
    spawnSync(engine, ['rm', '-f', `pg-startup-base-${i}`], { stdio: 'ignore' });
    pipe.push(await firstNetworkCall(`pg-startup-pipe-${i}`, envFile, clone));
  }
} finally {
  await world.close();
  await rm(dir, { recursive: true, force: true });
}
const [p, b] = [median(pipe), median(bare)];
console.log(`${engine}, ${RUNS} runs each, medians:`);
console.log(`  pipe image → first network call: ${p.toFixed(0)} ms`);
console.log(`  node -e 0 in ${base}: ${b.toFixed(0)} ms`);
console.log(`  ratio ${(p / b).toFixed(2)}×`);
