// Picks the broker for tests and local tools: an external one named by the caller, else a
// container when an engine and the image are there, else the Maven Central distribution.
import {
  containerEngineAnswers,
  pulsarImage,
  pulsarImageAvailable,
  startPulsarContainer,
} from './container.ts';
import { DEFAULT_PULSAR_VERSION } from './distribution.ts';
import { startStandalone } from './standalone.ts';
import type { OpenIdTrust } from './standalone-config.ts';
import type { BrokerHandle } from './types.ts';

export interface ExternalBroker {
  /** The broker's web URL, ws:// or http:// (wss:// / https:// too). */
  url: string;
  adminUrl?: string;
  adminToken?: string;
  /** Base64 HS256 secret, if the caller knows it and wants tests to mint tokens. */
  tokenSecret?: string;
  serviceUrl?: string;
}

export interface FindBrokerOptions {
  external?: ExternalBroker;
  /** Distribution version (default DEFAULT_PULSAR_VERSION, 3.0.16); the image tag follows it. */
  version?: string;
  /** Set false to skip the container route even when an engine answers. */
  container?: boolean;
  readyTimeoutMs?: number;
  /** OpenID Connect trust for a broker we start (the distribution route only). */
  openId?: OpenIdTrust;
}

/** Launcher entry points (global setup, scripts) turn their environment into options here. */
export function brokerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FindBrokerOptions {
  const options: FindBrokerOptions = {};
  if (env.PULSAR_VERSION) options.version = env.PULSAR_VERSION;
  if (env.PULSAR_GATE_NO_CONTAINER === '1') options.container = false;
  if (env.PULSAR_URL) {
    const external: ExternalBroker = { url: env.PULSAR_URL };
    if (env.PULSAR_ADMIN_URL) external.adminUrl = env.PULSAR_ADMIN_URL;
    if (env.PULSAR_ADMIN_TOKEN) external.adminToken = env.PULSAR_ADMIN_TOKEN;
    if (env.PULSAR_TOKEN_SECRET) external.tokenSecret = env.PULSAR_TOKEN_SECRET;
    if (env.PULSAR_SERVICE_URL) external.serviceUrl = env.PULSAR_SERVICE_URL;
    options.external = external;
  }
  return options;
}

function withScheme(url: URL, scheme: 'http' | 'ws'): string {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  return `${scheme}${secure ? 's' : ''}://${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export function externalBroker(external: ExternalBroker): BrokerHandle {
  const url = new URL(external.url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new Error(`PULSAR_URL must be a ws:// or http:// web URL, got ${external.url}`);
  }
  const webUrl = withScheme(url, 'http');
  const handle: BrokerHandle = {
    kind: 'external',
    webUrl,
    webSocketUrl: withScheme(url, 'ws'),
    serviceUrl: external.serviceUrl ?? `pulsar://${url.hostname}:6650`,
    adminUrl: (external.adminUrl ?? webUrl).replace(/\/+$/, ''),
    stop: async () => {}, // not ours to stop
  };
  if (external.adminToken !== undefined) handle.adminToken = external.adminToken;
  if (external.tokenSecret !== undefined) handle.tokenSecret = external.tokenSecret;
  return handle;
}

export async function findBroker(options: FindBrokerOptions = {}): Promise<BrokerHandle> {
  const say = (line: string): void => void process.stderr.write(`pulsar-gate: broker: ${line}\n`);
  if (options.external !== undefined) {
    const handle = externalBroker(options.external);
    say(`external ${handle.webUrl} (PULSAR_URL is set)`);
    return handle;
  }
  const version = options.version ?? DEFAULT_PULSAR_VERSION;
  let why = 'no PULSAR_URL';
  if (options.container === false) {
    why += '; container route switched off';
  } else if (!(await containerEngineAnswers())) {
    why += '; no container engine answered';
  } else {
    const image = pulsarImage(version);
    if (await pulsarImageAvailable(image)) {
      say(`container ${image} (${why}; a container engine answered)`);
      return startPulsarContainer(image);
    }
    why += `; engine answered but image ${image} is neither local nor pullable`;
  }
  say(`distribution Pulsar ${version} from Maven Central (${why})`);
  const standalone: Parameters<typeof startStandalone>[0] = { version };
  if (options.readyTimeoutMs !== undefined) standalone.readyTimeoutMs = options.readyTimeoutMs;
  if (options.openId !== undefined) standalone.openId = options.openId;
  return startStandalone(standalone);
}
