// The one shape every broker source (external, container, distribution) is handed out as.
import type { ClusterIdentity } from './with-identity.ts';

export type BrokerKind = 'external' | 'container' | 'distribution';

export interface BrokerHandle {
  kind: BrokerKind;
  /** http://127.0.0.1:port */
  webUrl: string;
  /** ws://127.0.0.1:port */
  webSocketUrl: string;
  /** pulsar://127.0.0.1:port */
  serviceUrl: string;
  adminUrl: string;
  /** Superuser JWT; undefined when the broker runs without authentication. */
  adminToken?: string;
  /** Base64 of the HS256 secret when we run the broker; lets tests mint tokens for any role. */
  tokenSecret?: string;
  logFile?: string;
  /** The OpenID Connect issuers the broker trusts, when we configured it (see with-identity.ts). */
  identity?: ClusterIdentity;
  /** Process-group id of the broker when we spawned it locally (changes on restart). */
  pid?: number;
  /** Stops and starts the broker on the same ports, data and secret (distribution only). */
  restart?(): Promise<void>;
  /** Takes the broker down, keeping its state, until resume() (distribution only). */
  halt?(): Promise<void>;
  resume?(): Promise<void>;
  stop(): Promise<void>;
}

/** What a test process can receive from the global setup: plain data only, no functions. */
export type BrokerInfo = Pick<
  BrokerHandle,
  'kind' | 'webUrl' | 'webSocketUrl' | 'serviceUrl' | 'adminUrl' | 'adminToken' | 'tokenSecret' | 'identity'
> & {
  /** http://127.0.0.1:port of the global setup's control server (distribution kind only). */
  controlUrl?: string;
};

/** Strips a handle down to its serialisable fields. */
export function toBrokerInfo(handle: BrokerHandle, controlUrl?: string): BrokerInfo {
  const info: BrokerInfo = {
    kind: handle.kind,
    webUrl: handle.webUrl,
    webSocketUrl: handle.webSocketUrl,
    serviceUrl: handle.serviceUrl,
    adminUrl: handle.adminUrl,
  };
  if (handle.adminToken !== undefined) info.adminToken = handle.adminToken;
  if (handle.tokenSecret !== undefined) info.tokenSecret = handle.tokenSecret;
  if (handle.identity !== undefined) info.identity = handle.identity;
  if (controlUrl !== undefined) info.controlUrl = controlUrl;
  return info;
}
