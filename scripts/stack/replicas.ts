// Starts the stack's `serve` replicas: containers of the service image when a container
// engine is there (read-only root, non-root, host networking to reach the local broker, one
// STATE_DIR each), else processes of the service bundle. Either way they share the one Shared
// subscription, so Pulsar splits the requests between them.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, type StackConfig } from './config.ts';

const run = promisify(execFile);
export type Engine = 'docker' | 'podman';
export type Replica =
  | { readonly kind: 'container'; readonly engine: Engine; readonly name: string; readonly port: number }
  | { readonly kind: 'process'; readonly pid: number; readonly port: number; readonly log: string };

const answers = (cmd: string, args: string[]): Promise<string | undefined> =>
  run(cmd, args, { timeout: 10_000 }).then(
    (out) => out.stdout,
    () => undefined,
  );

/** PULSAR_GATE_ENGINE, else Docker when a Docker engine answers, else podman when installed, else none. */
export async function pickEngine(env: NodeJS.ProcessEnv): Promise<Engine | undefined> {
  const chosen = env.PULSAR_GATE_ENGINE;
  if (chosen === 'docker' || chosen === 'podman') return chosen;
  if (chosen === 'none') return undefined;
  const docker = await answers('docker', ['version']);
  if (docker !== undefined && !/podman/i.test(docker)) return 'docker';
  return (await answers('podman', ['--version'])) === undefined ? undefined : 'podman';
}

/** The image's user. Root's files are copied for it; anyone else runs the containers as themselves. */
const IMAGE_UID = 1000;

/** Host paths as the container will see them, and the user it runs as. */
function containerAccess(
  config: StackConfig,
  dir: string,
  engine: Engine,
): { env: Record<string, string>; mounts: string[]; user: string[] } {
  const env = { ...config.env };
  if (process.getuid?.() !== 0) {
    const user = [`--user=${process.getuid?.()}:${process.getgid?.()}`];
    if (engine === 'podman') user.push('--userns=keep-id');
    return { env, mounts: config.files.map((f) => `${f}:${f}:ro`), user };
  }
  // Root's 0600 files are unreadable by the image's user: it gets copies of its own.
  const copies = join(dir, 'mounted');
  const mounts = config.files.map((file, i) => {
    const copy = join(copies, String(i), file.split('/').pop() ?? 'file');
    cpSync(file, copy, { recursive: true });
    for (const path of [copies, join(copies, String(i)), copy]) chownSync(path, IMAGE_UID, IMAGE_UID);
    if (statSync(copy).isDirectory()) chownTree(copy);
    return `${copy}:${file}:ro`;
  });
  return { env, mounts, user: [] };
}

function chownTree(dir: string): void {
  execFileSync('chown', ['-R', `${IMAGE_UID}:${IMAGE_UID}`, dir]);
}

export async function startContainer(
  engine: Engine,
  image: string,
  config: StackConfig,
  dir: string,
  index: number,
  name: string,
): Promise<Replica> {
  const port = config.httpPort + index;
  const state = join(dir, `state-${index + 1}`);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) chownSync(state, IMAGE_UID, IMAGE_UID);
  const access = containerAccess(config, dir, engine);
  const env = { ...access.env, HTTP_PORT: String(port) };
  await run(engine, ['rm', '-f', name]).catch(() => {});
  await run(
    engine,
    [
      'run',
      '--detach',
      `--name=${name}`,
      '--network=host',
      '--read-only',
      '--tmpfs=/tmp',
      ...access.user,
      ...Object.keys(env).flatMap((k) => ['--env', k]),
      ...access.mounts.flatMap((m) => ['--volume', m]),
      '--volume',
      `${state}:/var/lib/pulsar-gate`,
      image,
      'serve',
    ],
    { env: { ...process.env, ...env } },
  );
  return { kind: 'container', engine, name, port };
}

export function startProcess(config: StackConfig, dir: string, index: number): Replica {
  const port = config.httpPort + index;
  const state = join(dir, `state-${index + 1}`);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const log = join(dir, `replica-${index + 1}.log`);
  const out = openSync(log, 'a');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'service', 'pulsar-gate-service.mjs'), 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      ...config.env,
      STATE_DIR: state,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
    },
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.unref();
  return { kind: 'process', pid: child.pid ?? 0, port, log };
}

export async function replicaLogs(replica: Replica): Promise<string> {
  if (replica.kind === 'process') return (await run('tail', ['-n', '30', replica.log])).stdout;
  const out = await run(replica.engine, ['logs', '--tail', '30', replica.name]).catch(
    (e: { stdout?: string; stderr?: string }) => e,
  );
  return `${out.stdout ?? ''}${out.stderr ?? ''}`;
}

export async function stopReplica(replica: Replica): Promise<void> {
  if (replica.kind === 'container') {
    await run(replica.engine, ['stop', '--time=15', replica.name]).catch(() => {});
    await run(replica.engine, ['rm', '-f', replica.name]).catch(() => {});
    return;
  }
  try {
    process.kill(replica.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 150; i++) {
    try {
      process.kill(replica.pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.kill(replica.pid, 'SIGKILL');
}
