/**
 * A Bitbucket-shaped OIDC issuer on loopback: the discovery document of
 * OIDC Discovery 1.0 §4 at `<issuer>/.well-known/openid-configuration`, the public JWKS
 * (RFC 7517) at `<issuer>/keys.json` as Bitbucket documents it, and tokens with Bitbucket's
 * claim shapes. The issuer URL keeps Bitbucket's path so path handling is exercised too.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { environmentUuidOf } from '../bitbucket/site.ts';
import { braceUuid, buildClaims, type MintOptions, withBraces, withoutBraces } from './claims.ts';
import { createKeyRing, type SigningAlgorithm } from './keyring.ts';
import { siteMintOptions } from './site-mint.ts';
import { stepContext, stepEnvironment } from './step-environment.ts';

export type { MintOptions } from './claims.ts';

export type IssuerOptions = {
  workspace?: string;
  workspaceUuid?: string;
  algorithm?: SigningAlgorithm;
  /** Start from this private key (a shared issuer's), not a fresh one. */
  seed?: JWK;
  /**
   * The issuer URL's path, for an issuer that is not Bitbucket (e.g. `/oidc` for the decision
   * service as a gate issuer). Default: Bitbucket's `/2.0/workspaces/<workspace>/pipelines-config/identity/oidc`.
   */
  path?: string;
};

export type JwksFailure = number | 'hang' | null;

export type Issuer = {
  url: string;
  jwksUri: string;
  /** Bitbucket's default audience: `ari:cloud:bitbucket::workspace/<uuid without braces>`. */
  audience: string;
  /** Brace-wrapped, as in the `workspaceUuid` claim. */
  workspaceUuid: string;
  repositoryUuid: string;
  pipelineUuid: string;
  deploymentEnvironmentUuid: string;
  mint(options?: MintOptions): Promise<string>;
  stepEnvironment(
    token: string,
    overrides?: Readonly<Record<string, string | undefined>>,
  ): Record<string, string>;
  /** The current private key (shared issuers hand it to the workers that mint for them). */
  exportSigningKey(): Promise<JWK>;
  rotateKey(): Promise<void>;
  retireOldKeys(): void;
  /** Serve the JWKS with this HTTP status, or never answer ('hang'); null restores it. */
  setJwksFailure(failure: JwksFailure): void;
  /** Requests seen, keyed by URL path (e.g. `new URL(issuer.jwksUri).pathname`). */
  requests: ReadonlyMap<string, number>;
  close(): Promise<void>;
};

/** claims_supported of Bitbucket's discovery document (as Atlassian documents it; see the claims in test/peers/oidc/claims.ts). */
export const BITBUCKET_CLAIMS_SUPPORTED: readonly string[] = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'branchName',
  'compliant',
  'deploymentEnvironmentUuid',
  'pipelineUuid',
  'repositoryUuid',
  'stepUuid',
  'workspaceUuid',
];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startIssuer(options: IssuerOptions = {}): Promise<Issuer> {
  const workspace = options.workspace ?? 'acme';
  const algorithm = options.algorithm ?? 'RS256';
  const workspaceUuid = withBraces(options.workspaceUuid ?? braceUuid());
  const keys = await createKeyRing(algorithm, options.seed);
  const requests = new Map<string, number>();
  const context = stepContext(workspace);
  let jwksFailure: JwksFailure = null;
  let base = '';

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });
    if (path === `${base}/.well-known/openid-configuration`) return sendJson(res, 200, discovery());
    if (path === `${base}/keys.json`) {
      if (jwksFailure === 'hang') return; // the socket stays open until close()
      if (jwksFailure !== null)
        return sendJson(res, jwksFailure, { error: `injected failure ${jwksFailure}` });
      return sendJson(res, 200, keys.jwks());
    }
    return sendJson(res, 404, { error: 'not found', path });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = options.path ?? `/2.0/workspaces/${workspace}/pipelines-config/identity/oidc`;
  const url = `http://127.0.0.1:${port}${base}`;
  const jwksUri = `${url}/keys.json`;

  const identity = repositoryIdentity(url, workspaceUuid);

  // OIDC Discovery 1.0 §3: issuer, jwks_uri, response_types_supported, subject_types_supported
  // and id_token_signing_alg_values_supported are REQUIRED; claims_supported is RECOMMENDED.
  const discovery = () => ({
    issuer: url,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [algorithm],
    // Bitbucket's own list, in its order: no nbf, no jti.
    claims_supported: BITBUCKET_CLAIMS_SUPPORTED,
  });

  return {
    ...identity,
    jwksUri,
    exportSigningKey: () => keys.exportCurrent(),
    mint: async (mintOptions = {}) => {
      if (mintOptions.claims !== undefined) return keys.sign({ ...mintOptions.claims }, mintOptions);
      const effective = await siteMintOptions(identity, mintOptions, context.commit);
      const claims = buildClaims(identity, effective, Math.floor(Date.now() / 1000));
      return keys.sign(claims, effective);
    },
    stepEnvironment: (token, overrides) => stepEnvironment(context, token, overrides),
    rotateKey: () => keys.rotate(),
    retireOldKeys: () => keys.retireOld(),
    setJwksFailure: (failure) => {
      jwksFailure = failure;
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections(); // includes requests left hanging on purpose
      }),
  };
}

/** The identity of one repository of a workspace: fresh UUIDs, as Bitbucket assigns them. */
export function repositoryIdentity(url: string, workspaceUuid: string) {
  const repositoryUuid = braceUuid();
  return {
    url,
    audience: `ari:cloud:bitbucket::workspace/${withoutBraces(workspaceUuid)}`,
    workspaceUuid,
    repositoryUuid,
    pipelineUuid: braceUuid(),
    // The repository's `production` environment, as this test world's Bitbucket names it.
    deploymentEnvironmentUuid: environmentUuidOf(repositoryUuid, 'production'),
  };
}
