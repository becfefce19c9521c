// Which container engine the container tests (and testcontainers) use: one that already
// answers (Docker, or a podman socket someone runs), else podman's Docker-compatible API
// started here on a socket in a temporary directory (scripts/container/podman-setup.sh),
// and stopped again when the run ends.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { engineGet } from '../peers/pulsar/container.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SETUP = `${ROOT}scripts/container/podman-setup.sh`;
const run = promisify(execFile);

export type EngineInfo =
  | {
      readonly ok: true;
      readonly kind: 'docker' | 'podman';
      /** What testcontainers and scripts/image/build.sh need in their environment. */
      readonly env: Record<string, string>;
    }
  | { readonly ok: false; readonly reason: string };

export interface Engine {
  readonly info: EngineInfo;
  stop(): Promise<void>;
}

const podmanInstalled = (): Promise<boolean> =>
  run('podman', ['--version']).then(
    () => true,
    () => false,
  );

/** `export A=b` lines, as podman-setup.sh prints them. */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) {
    if (match[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

export async function startEngine(): Promise<Engine> {
  const nothing = async (): Promise<void> => {};
  const version = await engineGet('/version');
  if (version?.status === 200) {
    const podman = version.body.includes('Podman Engine');
    // Ryuk's image cannot be pulled where podman stands in for Docker; the runner removes
    // its own containers anyway.
    const env: Record<string, string> = podman
      ? { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' }
      : {};
    Object.assign(process.env, env);
    return { info: { ok: true, kind: podman ? 'podman' : 'docker', env }, stop: nothing };
  }
  if (!(await podmanInstalled())) {
    return {
      info: {
        ok: false,
        reason:
          'no container engine answered (no Docker socket or DOCKER_HOST) and podman is not installed: ' +
          'bash scripts/container/podman-setup.sh install',
      },
      stop: nothing,
    };
  }
  let env: Record<string, string>;
  try {
    env = parseExports((await run('bash', [SETUP, 'start'], { timeout: 120_000 })).stdout);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return {
      info: { ok: false, reason: `podman's API service did not start: ${stderr.trim()}` },
      stop: nothing,
    };
  }
  // Set here so the broker finder (the next global setup) sees the engine too.
  Object.assign(process.env, env);
  const dir = env.PULSAR_GATE_PODMAN_DIR ?? '';
  return {
    info: { ok: true, kind: 'podman', env },
    stop: async () => {
      for (const key of Object.keys(env)) delete process.env[key];
      await run('bash', [SETUP, 'stop', dir]);
    },
  };
}
