// `pulsar-gate-service serve` as a real child process, the way an operator runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { runPipe } from './run-pipe.ts';

const MAIN = new URL('../../cli/service/main.ts', import.meta.url).pathname;

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the health URL once it serves; rejects with its output if it exits first. */
  readonly ready: Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

export function spawnServe(env: Record<string, string>): ServeProcess {
  return spawnServiceCommand('serve', env, /health (http:\/\/127\.0\.0\.1:\d+)\/healthz/);
}

/**
 * A command of the service's CLI as a child process: its output collected, `ready` resolved with
 * the first capture of `announces` in it, or rejected with the output if it exits first.
 */
export function spawnServiceCommand(
  command: string,
  env: Record<string, string>,
  announces: RegExp,
): ServeProcess {
  let output = '';
  const child = spawn(process.execPath, [MAIN, command], {
    // LD_LIBRARY_PATH: where a source-built native client finds libpulsar (scripts/native-client.sh).
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.LD_LIBRARY_PATH ? { LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = announces.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`${command} exited ${code}: ${output}`));
    });
  });
  ready.catch(() => {}); // callers that only await `exited` must not see an unhandled rejection
  return { child, output: () => output, ready, exited };
}

/** What `serve` needs against a local broker and issuer; the Pulsar credential is the caller's. */
export function localServeEnv(options: {
  pulsarUrl: string;
  topic: string;
  keysDir: string;
  policyDir: string;
  issuer: { url: string; audience: string };
  /** Where `serve` looks environments and pipelines up (GateWorld.bitbucket). */
  bitbucket: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    ...options.bitbucket,
    PULSAR_URL: options.pulsarUrl,
    TOPICS: options.topic,
    SIGNING_KEY_FILE: join(options.keysDir, 'service-key.json'),
    POLICY_DIR: options.policyDir,
    OIDC_ISSUERS: options.issuer.url,
    OIDC_AUDIENCES: options.issuer.audience,
    ALLOW_INSECURE_ISSUER: 'true',
    HTTP_PORT: '0',
  };
}

/** `pulsar-gate-service audit verify` on the trail a `serve` with this STATE_DIR kept. */
export function auditVerify(stateDir: string, keysFile: string, entry: 'source' | 'bundle' = 'source') {
  const trail = join(stateDir, 'audit', 'trail.jsonl');
  return runPipe(
    {},
    {
      cwd: stateDir,
      entry,
      deployable: 'service',
      args: ['audit', 'verify', '--file', trail, '--keys', keysFile],
    },
  );
}
