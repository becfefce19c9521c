// Starts the service image the way an operator runs it: long-running, a read-only root
// filesystem, its keys, policies and secrets mounted read-only, STATE_DIR a writable volume.
// Host networking, because the test issuer, Bitbucket peer and broker listen on the host's
// loopback at the URLs the step tokens name (the issuer URL must match the token's `iss`).
import {
  GenericContainer,
  getContainerRuntimeClient,
  PullPolicy,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import { demux } from './run-container.ts';

/** testcontainers has no read-only option; HostConfig.ReadonlyRootfs is Docker's (and podman's) own. */
class ServiceContainer extends GenericContainer {
  readOnlyRootFilesystem(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
}

export interface RunningService {
  readonly container: StartedTestContainer;
  readonly port: number;
  /** Everything it printed so far. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export async function startServiceContainer(
  image: string,
  options: {
    env: Record<string, string>;
    /** host path → container path, all read-only. */
    readOnly: Record<string, string>;
    /** The host directory mounted writable at the image's STATE_DIR. */
    stateDir: string;
    port: number;
  },
): Promise<RunningService> {
  const container = await new ServiceContainer(image)
    .withPullPolicy(PullPolicy.neverPull())
    .withNetworkMode('host')
    .readOnlyRootFilesystem()
    .withEnvironment({ ...options.env, HTTP_PORT: String(options.port) })
    .withBindMounts([
      ...Object.entries(options.readOnly).map(([source, target]) => ({
        source,
        target,
        mode: 'ro' as const,
      })),
      { source: options.stateDir, target: '/var/lib/pulsar-gate', mode: 'rw' },
    ])
    // Not the image's HEALTHCHECK (podman runs none without systemd): its start line, or its
    // refusal to start; readiness is /readyz below.
    .withWaitStrategy(Wait.forLogMessage(/health http|✖/))
    .withStartupTimeout(60_000)
    .start();
  const handle = (await getContainerRuntimeClient()).container.getById(container.getId());
  const logs = async (): Promise<string> =>
    demux(await handle.logs({ stdout: true, stderr: true, follow: false })).output;
  // Ready once subscribed with its policies loaded: /readyz, over loopback (host networking).
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${options.port}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) break;
    const state = (await handle.inspect()).State;
    if (!state.Running || Date.now() > deadline) {
      const output = await logs();
      await container.stop({ timeout: 0, remove: true }).catch(() => {});
      throw new Error(`the service container is not ready (exit ${state.ExitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    container,
    port: options.port,
    logs,
    stop: async () => {
      await container.stop({ timeout: 10_000, remove: true });
    },
  };
}
