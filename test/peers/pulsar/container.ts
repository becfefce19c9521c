// The testcontainers route: only taken when a Docker-compatible engine (Docker, or podman's
// API socket) answers and the Pulsar image is already in its store. Nothing is pulled: where
// no registry is reachable (podman here) a pull only fails, after a wait.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PULSAR_VERSION } from './distribution.ts';
import { mintToken, newTokenSecret } from './tokens.ts';
import type { BrokerHandle } from './types.ts';

/** The image of a Pulsar release: the same version as the distribution route runs. */
export function pulsarImage(version: string = DEFAULT_PULSAR_VERSION): string {
  return `apachepulsar/pulsar:${version}`;
}

export const DEFAULT_PULSAR_IMAGE = pulsarImage();

interface Endpoint {
  socketPath?: string;
  host?: string;
  port?: number;
}

// Where testcontainers would look too: DOCKER_HOST, then the usual Docker and podman sockets.
function candidateEndpoints(): Endpoint[] {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
  if (dockerHost?.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return [{ host: url.hostname, port: Number(url.port || 2375) }];
  }
  const runtimeDir = process.env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 0}`;
  return [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(runtimeDir, 'podman', 'podman.sock'),
    '/run/podman/podman.sock',
  ]
    .filter((path) => existsSync(path))
    .map((socketPath) => ({ socketPath }));
}

export interface EngineResponse {
  readonly status: number;
  readonly body: string;
}

function get(endpoint: Endpoint, path: string, timeoutMs: number): Promise<EngineResponse | undefined> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

/** GET on the Docker-compatible API of the first engine that answers `/_ping`; never throws. */
export async function engineGet(path: string, timeoutMs = 2_000): Promise<EngineResponse | undefined> {
  for (const endpoint of candidateEndpoints()) {
    if ((await get(endpoint, '/_ping', timeoutMs))?.status === 200) return get(endpoint, path, timeoutMs);
  }
  return undefined;
}

/** True when a container engine answers `/_ping` within `timeoutMs`; never throws, never logs. */
export async function containerEngineAnswers(timeoutMs = 2_000): Promise<boolean> {
  // TLS-protected remote engines cannot be pinged in plain HTTP; leave those to testcontainers.
  if (process.env.DOCKER_TLS_VERIFY === '1') return true;
  return (await engineGet('/_ping', timeoutMs))?.status === 200;
}

/** Docker Hub short names, fully qualified: both Docker and podman resolve these the same way. */
export function qualifiedImage(image: string): string {
  const [first, ...rest] = image.split('/');
  if (rest.length === 0) return `docker.io/library/${image}`;
  return first !== undefined && /[.:]|^localhost$/.test(first) ? image : `docker.io/${image}`;
}

/**
 * True when the engine already holds the image (`GET /images/{name}/json`). Never pulls:
 * `docker pull apachepulsar/pulsar:<DEFAULT_PULSAR_VERSION>` once, where a registry is reachable, to use this route.
 */
export async function pulsarImageAvailable(image = DEFAULT_PULSAR_IMAGE): Promise<boolean> {
  if (process.env.DOCKER_TLS_VERIFY === '1') {
    // A TLS engine is not reachable in plain HTTP; ask through testcontainers' client instead.
    try {
      const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
      return await (await getContainerRuntimeClient()).image.exists(ImageName.fromString(image));
    } catch {
      return false;
    }
  }
  return (await engineGet(`/images/${qualifiedImage(image)}/json`, 5_000))?.status === 200;
}

/** Starts the standalone broker in a container with the same overrides as the distribution route. */
export async function startPulsarContainer(image = DEFAULT_PULSAR_IMAGE): Promise<BrokerHandle> {
  const { GenericContainer, PullPolicy, Wait } = await import('testcontainers');
  const tokenSecret = newTokenSecret();
  const adminToken = await mintToken(tokenSecret, 'admin');
  // apply-config-from-env.py rewrites (or appends) conf keys from PULSAR_PREFIX_<key> variables.
  const conf: Record<string, string> = {
    webSocketServiceEnabled: 'true',
    authenticationEnabled: 'true',
    authenticationProviders: 'org.apache.pulsar.broker.authentication.AuthenticationProviderToken',
    tokenSecretKey: `data:;base64,${tokenSecret}`,
    superUserRoles: 'admin',
    authorizationEnabled: 'false',
    brokerClientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
    brokerClientAuthenticationParameters: JSON.stringify({ token: adminToken }),
    brokerDeleteInactiveTopicsEnabled: 'false',
    transactionCoordinatorEnabled: 'false',
  };
  const env = Object.fromEntries(Object.entries(conf).map(([k, v]) => [`PULSAR_PREFIX_${k}`, v]));
  const container = await new GenericContainer(qualifiedImage(image))
    .withPullPolicy(PullPolicy.neverPull())
    .withEnvironment({ ...env, PULSAR_MEM: '-Xms256m -Xmx512m -XX:MaxDirectMemorySize=256m' })
    .withCommand([
      'sh',
      '-c',
      'bin/apply-config-from-env.py conf/standalone.conf && bin/pulsar standalone -nfw -nss',
    ])
    .withExposedPorts(6650, 8080)
    .withWaitStrategy(
      Wait.forHttp('/admin/v2/namespaces/public/default', 8080)
        .withHeaders({ Authorization: `Bearer ${adminToken}` })
        .forStatusCode(200),
    )
    .withStartupTimeout(180_000)
    .start();
  const host = container.getHost();
  const web = container.getMappedPort(8080);
  return {
    kind: 'container',
    webUrl: `http://${host}:${web}`,
    webSocketUrl: `ws://${host}:${web}`,
    serviceUrl: `pulsar://${host}:${container.getMappedPort(6650)}`,
    adminUrl: `http://${host}:${web}`,
    adminToken,
    tokenSecret,
    stop: async () => {
      await container.stop();
    },
  };
}
