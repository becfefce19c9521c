// The testcontainers route: only taken when a Docker-compatible engine answers and the Pulsar
// image is local or pullable. Not exercised on the development machine (no engine there).
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mintToken, newTokenSecret } from './tokens.ts';
import type { BrokerHandle } from './types.ts';

export const DEFAULT_PULSAR_IMAGE = 'apachepulsar/pulsar:4.0.8';

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

function ping(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** True when a container engine answers `/_ping` within `timeoutMs`; never throws, never logs. */
export async function containerEngineAnswers(timeoutMs = 2_000): Promise<boolean> {
  // TLS-protected remote engines cannot be pinged in plain HTTP; leave those to testcontainers.
  if (process.env.DOCKER_TLS_VERIFY === '1') return true;
  const answers = await Promise.all(candidateEndpoints().map((e) => ping(e, timeoutMs)));
  return answers.includes(true);
}

/** True when the image is present locally, or a pull of it succeeds. */
export async function pulsarImageAvailable(image = DEFAULT_PULSAR_IMAGE): Promise<boolean> {
  try {
    const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    const name = ImageName.fromString(image);
    if (await client.image.exists(name)) return true;
    await client.image.pull(name);
    return true;
  } catch {
    return false;
  }
}

/** Starts the standalone broker in a container with the same overrides as the distribution route. */
export async function startPulsarContainer(image = DEFAULT_PULSAR_IMAGE): Promise<BrokerHandle> {
  const { GenericContainer, Wait } = await import('testcontainers');
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
  const container = await new GenericContainer(image)
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
