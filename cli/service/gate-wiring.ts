import { readGateKeys } from '../../src/keys/gate-keys.ts';
import { type IssuerDocuments, issuerDocuments, issuerPaths } from '../../src/keys/issuer-documents.ts';
import type { GateIssuerPort } from '../../src/service/gate-grant.ts';
import type { IssuerRoutes } from '../../src/service/http.ts';
import type { ServeConfig } from './serve-config.ts';

/** The gate issuer as `serve` runs it: the port that signs, the documents it publishes. */
export interface GateIssuer {
  readonly port: GateIssuerPort;
  readonly routes: IssuerRoutes;
  /** Reads the key set again (SIGHUP after a rotation); a set that fails to load keeps the old one. */
  reload(): Promise<string>;
}

/** Loaded at start, like the signing key: a GATE_ISSUER without usable keys stops `serve`. */
export async function openGateIssuer(
  gate: NonNullable<ServeConfig['gate']>,
  now: () => number,
): Promise<GateIssuer> {
  let keys = await readGateKeys(gate.keysFile);
  const render = (): IssuerDocuments => issuerDocuments(gate.issuer, keys.set, now());
  return {
    port: {
      issuer: gate.issuer,
      lifetimeSeconds: gate.tokenTtlSeconds,
      signingKey: () => keys.signing,
    },
    routes: { paths: issuerPaths(gate.issuer), render },
    reload: async () => {
      keys = await readGateKeys(gate.keysFile);
      return keys.signing.kid;
    },
  };
}
