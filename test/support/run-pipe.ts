import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Each deployable's entrypoint, as source and as the bundle `npm run build` makes. */
const ENTRIES = {
  pipe: { source: 'pipe/main.ts', bundle: 'dist/pipe/pulsar-gate.mjs' },
  service: { source: 'cli/service/main.ts', bundle: 'dist/service/pulsar-gate-service.mjs' },
} as const;

export interface PipeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
  readonly ms: number;
}

/**
 * Runs the pipe as Bitbucket does: a fresh process whose whole input is its environment
 * (pipe variables and BITBUCKET_*), in the clone directory. Nothing of the test runner's
 * environment leaks in but PATH and HOME.
 */
export function runPipe(
  env: Record<string, string>,
  options: {
    cwd: string;
    entry?: 'source' | 'bundle';
    /** Which deployable's command line: the pipe's (default) or the decision service's. */
    deployable?: keyof typeof ENTRIES;
    args?: string[];
    timeoutMs?: number;
    /** Runs `then` once the output matches `when`, e.g. to cancel the step or stop the broker. */
    watch?: { when: RegExp; act: (signal: (name: NodeJS.Signals) => void, output: string) => void };
  },
): Promise<PipeRun> {
  const entry = ENTRIES[options.deployable ?? 'pipe'][options.entry ?? 'source'];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}/${entry}`, ...(options.args ?? [])], {
      cwd: options.cwd,
      // LD_LIBRARY_PATH: where a source-built native client finds libpulsar (scripts/native-client.sh).
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        ...(process.env.LD_LIBRARY_PATH ? { LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
      if (options.watch && !interrupted && options.watch.when.test(output)) {
        interrupted = true;
        options.watch.act((name) => child.kill(name), output);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output, ms: Date.now() - started });
    });
  });
}
