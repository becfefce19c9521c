// Starts the pipe image the way Bitbucket starts a pipe: the step's variables and BITBUCKET_*
// as the whole environment, the clone directory mounted at Bitbucket's build path and used as
// the working directory, the system label Bitbucket puts on it. Host networking, so the
// broker, issuer and STS the tests run on loopback are reached at the same 127.0.0.1 URLs.
import { GenericContainer, getContainerRuntimeClient, PullPolicy } from 'testcontainers';
import type { PipeRun } from '../support/run-pipe.ts';

export const BUILD_DIR = '/opt/atlassian/pipelines/agent/build';

export interface ContainerOptions {
  /** The host directory Bitbucket would have cloned into; mounted at BUILD_DIR. */
  readonly cloneDir: string;
  readonly entrypoint?: string[];
  readonly command?: string[];
  readonly timeoutMs?: number;
}

/** Splits Docker's multiplexed log stream (8-byte frame headers: stream, size) into stdout/stderr. */
export function demux(raw: Buffer): { stdout: string; stderr: string; output: string } {
  const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[], output: [] as Buffer[] };
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    const frame = raw.subarray(at + 8, at + 8 + size);
    (raw[at] === 2 ? parts.stderr : parts.stdout).push(frame);
    parts.output.push(frame);
    at += 8 + size;
  }
  const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');
  return { stdout: text(parts.stdout), stderr: text(parts.stderr), output: text(parts.output) };
}

export async function runPipeContainer(
  image: string,
  env: Readonly<Record<string, string | undefined>>,
  options: ContainerOptions,
): Promise<PipeRun> {
  const environment = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let definition = new GenericContainer(image)
    .withPullPolicy(PullPolicy.neverPull())
    .withNetworkMode('host')
    .withEnvironment(environment)
    .withBindMounts([{ source: options.cloneDir, target: BUILD_DIR, mode: 'rw' }])
    .withWorkingDir(BUILD_DIR)
    .withLabels({ 'org.bitbucket.pipelines.system': 'true' });
  if (options.entrypoint) definition = definition.withEntrypoint(options.entrypoint);
  if (options.command) definition = definition.withCommand(options.command);
  return runToEnd(definition, options.timeoutMs ?? 120_000);
}

/** Starts a container that ends by itself, waits for it (killed after timeoutMs), returns what it printed. */
export async function runToEnd(definition: GenericContainer, timeoutMs: number): Promise<PipeRun> {
  const started = Date.now();
  const container = await definition.start();
  const client = await getContainerRuntimeClient();
  const handle = client.container.getById(container.getId());
  const timer = setTimeout(() => void handle.kill().catch(() => {}), timeoutMs);
  try {
    const { StatusCode } = (await handle.wait()) as { StatusCode: number };
    const ms = Date.now() - started;
    const logs = demux(await handle.logs({ stdout: true, stderr: true, follow: false }));
    return { code: StatusCode, ...logs, ms };
  } finally {
    clearTimeout(timer);
    await container.stop({ timeout: 0, remove: true }).catch(() => handle.remove({ force: true }));
  }
}
