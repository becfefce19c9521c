/**
 * The workspace issuer a test broker trusts (Pulsar's OpenID provider reads its issuer list
 * once, at start-up). The process that owns the broker serves it; test workers and the demo
 * mint for it with its exported key, each as a repository of its own, so topic grants made for
 * one test's repository say nothing about another's.
 */
import type { JWK } from 'jose';
import { buildClaims } from './claims.ts';
import { type Issuer, repositoryIdentity, startIssuer } from './issuer.ts';
import { createKeyRing, type SigningAlgorithm } from './keyring.ts';
import { siteMintOptions } from './site-mint.ts';
import { stepContext, stepEnvironment } from './step-environment.ts';

/** Plain JSON: crosses from a vitest globalSetup to the workers, and into broker.json. */
export interface SharedIssuerInfo {
  readonly url: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly workspace: string;
  readonly workspaceUuid: string;
  readonly algorithm: SigningAlgorithm;
  readonly privateJwk: JWK;
}

export async function startSharedIssuer(): Promise<{ info: SharedIssuerInfo; close(): Promise<void> }> {
  const issuer = await startIssuer({ workspace: 'acme', algorithm: 'RS256' });
  const info: SharedIssuerInfo = {
    url: issuer.url,
    jwksUri: issuer.jwksUri,
    audience: issuer.audience,
    workspace: 'acme',
    workspaceUuid: issuer.workspaceUuid,
    algorithm: 'RS256',
    privateJwk: await issuer.exportSigningKey(),
  };
  return { info, close: () => issuer.close() };
}

const unsupported = (what: string) => (): never => {
  throw new Error(`${what} is not possible on the shared issuer (it is served by another process)`);
};

/** Mints as a new repository of the shared issuer's workspace; serves nothing itself. */
export async function issuerForRepository(info: SharedIssuerInfo): Promise<Issuer> {
  const keys = await createKeyRing(info.algorithm, info.privateJwk);
  const identity = repositoryIdentity(info.url, info.workspaceUuid);
  const context = stepContext(info.workspace);
  return {
    ...identity,
    jwksUri: info.jwksUri,
    mint: async (options = {}) => {
      if (options.claims !== undefined) return keys.sign({ ...options.claims }, options);
      const effective = await siteMintOptions(identity, options, context.commit);
      return keys.sign(buildClaims(identity, effective, Math.floor(Date.now() / 1000)), effective);
    },
    stepEnvironment: (token, overrides) => stepEnvironment(context, token, overrides),
    exportSigningKey: () => keys.exportCurrent(),
    rotateKey: unsupported('rotating keys'),
    retireOldKeys: unsupported('retiring keys'),
    setJwksFailure: unsupported('failing the JWKS'),
    requests: new Map(),
    close: async () => {},
  };
}
