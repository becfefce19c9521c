import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { allowInsecureRequests, discovery } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateClaims } from './gate-claims.ts';
import { type Issuer, startIssuer } from './issuer.ts';

// Key order and variables as in the shared fixture bitbucket-step.json (oidcToken, pipeEnvironment).
const HEADER = ['alg', 'typ', 'kid'];
// No nbf and no jti: Bitbucket's tokens carry neither (the fixture's oidcToken.notes).
const CLAIMS =
  'iss aud sub workspaceUuid repositoryUuid pipelineUuid stepUuid deploymentEnvironmentUuid branchName iat exp';
// The discovery document's list, in Bitbucket's order (the fixture's oidcToken.notes).
const CLAIMS_SUPPORTED = `sub iss aud exp iat branchName compliant deploymentEnvironmentUuid pipelineUuid
  repositoryUuid stepUuid workspaceUuid`;
const STEP_VARIABLES = `CI DEBUG BITBUCKET_CLONE_DIR BITBUCKET_PIPE_STORAGE_DIR BITBUCKET_PIPE_SHARED_STORAGE_DIR
  BITBUCKET_BUILD_NUMBER BITBUCKET_COMMIT BITBUCKET_BRANCH BITBUCKET_REPO_SLUG BITBUCKET_REPO_FULL_NAME
  BITBUCKET_REPO_OWNER BITBUCKET_REPO_UUID BITBUCKET_WORKSPACE BITBUCKET_PROJECT_KEY BITBUCKET_PIPELINE_UUID
  BITBUCKET_STEP_UUID BITBUCKET_STEP_RUN_NUMBER BITBUCKET_STEP_TRIGGERER_UUID BITBUCKET_DEPLOYMENT_ENVIRONMENT
  BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID BITBUCKET_STEP_OIDC_TOKEN`;
const words = (text: string) => text.split(/\s+/).filter(Boolean);

const BRACED_UUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;

describe('Bitbucket-shaped OIDC issuer', () => {
  let issuer: Issuer;
  beforeAll(async () => {
    issuer = await startIssuer();
  });
  afterAll(() => issuer.close());

  const verify = (token: string, jwksUri = issuer.jwksUri) =>
    jwtVerify(token, createRemoteJWKSet(new URL(jwksUri)), {
      issuer: issuer.url,
      audience: issuer.audience,
      algorithms: ['RS256'],
    });

  it('serves a discovery document that openid-client accepts, with Bitbucket’s issuer path', async () => {
    const config = await discovery(new URL(issuer.url), 'pulsar-gate', undefined, undefined, {
      execute: [allowInsecureRequests],
    });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer.url);
    expect(metadata.jwks_uri).toBe(`${issuer.url}/keys.json`);
    expect(new URL(issuer.url).pathname).toBe('/2.0/workspaces/acme/pipelines-config/identity/oidc');
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(metadata.claims_supported).toEqual(words(CLAIMS_SUPPORTED));
    expect(issuer.audience).toBe(`ari:cloud:bitbucket::workspace/${issuer.workspaceUuid.slice(1, -1)}`);
  });

  it('mints tokens with the fixture’s header and claims, verifiable through the JWKS', async () => {
    const token = await issuer.mint();
    const { payload, protectedHeader } = await verify(token);
    expect(Object.keys(protectedHeader)).toEqual(HEADER);
    expect(Object.keys(payload)).toEqual(words(CLAIMS));
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.iss).toBe(issuer.url);
    expect(payload.aud).toBe(issuer.audience);
    for (const name of [
      'workspaceUuid',
      'repositoryUuid',
      'pipelineUuid',
      'stepUuid',
      'deploymentEnvironmentUuid',
    ]) {
      expect(payload[name]).toMatch(BRACED_UUID);
    }
    expect(payload.sub).toBe(
      `${payload.repositoryUuid}:${payload.deploymentEnvironmentUuid}:${payload.stepUuid}`,
    );
    expect(Number.isInteger(payload.iat) && payload.exp === (payload.iat ?? 0) + 3600).toBe(true);
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).toMatchObject({ kid: protectedHeader.kid, alg: 'RS256', use: 'sig', kty: 'RSA' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('mints a fresh step per token and a {repo}:{step} sub for non-deployment steps', async () => {
    const a = decodeJwt(await issuer.mint());
    const b = decodeJwt(await issuer.mint({ deploymentEnvironmentUuid: null }));
    expect(a.stepUuid).not.toBe(b.stepUuid);
    expect(a.repositoryUuid).toBe(b.repositoryUuid);
    expect(b).not.toHaveProperty('deploymentEnvironmentUuid');
    expect(b.sub).toBe(`${b.repositoryUuid}:${b.stepUuid}`);
  });

  it('mints aud as a string by default and as an array for a step listing audiences', async () => {
    expect(decodeJwt(await issuer.mint()).aud).toBe(issuer.audience);
    const custom = ['https://pulsar.example.com', 'urn:pulsar:cluster'];
    const token = await issuer.mint({ audiences: custom });
    expect(decodeJwt(token).aud).toEqual([issuer.audience, ...custom]);
    // A verifier that allows any one of the values accepts it, as for the string form.
    await expect(verify(token)).resolves.toBeDefined();
    const forCustom = jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.url,
      audience: 'urn:pulsar:cluster',
    });
    await expect(forCustom).resolves.toBeDefined();
    expect(decodeJwt(await issuer.mint({ aud: 'someone-else' })).aud).toBe('someone-else');
  });

  it('never mints nbf or jti, whatever the options', async () => {
    for (const options of [{}, { audiences: ['x'] }, { expiresInSeconds: -60 }, { issuedAt: new Date() }]) {
      const claims = decodeJwt(await issuer.mint(options));
      expect(claims).not.toHaveProperty('nbf');
      expect(claims).not.toHaveProperty('jti');
    }
  });

  it('mints expired, forged and unsecured tokens that verification rejects', async () => {
    const expired = await issuer.mint({ expiresInSeconds: -60 });
    await expect(verify(expired)).rejects.toBeInstanceOf(errors.JWTExpired);
    const freshKid = await issuer.mint({ signWith: 'unknown-key' });
    await expect(verify(freshKid)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    const sameKid = await issuer.mint({ signWith: 'unknown-key-same-kid' });
    expect(decodeProtectedHeader(sameKid).kid).toBe(decodeProtectedHeader(await issuer.mint()).kid);
    await expect(verify(sameKid)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    await expect(verify(await issuer.mint({ alg: 'HS256' }))).rejects.toBeInstanceOf(
      errors.JOSEAlgNotAllowed,
    );
    await expect(verify(await issuer.mint({ alg: 'none' }))).rejects.toThrow();
  });

  it('rotates keys keeping the old one listed until it is retired', async () => {
    const before = await issuer.mint();
    await issuer.rotateKey();
    const after = await issuer.mint();
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    await expect(verify(before)).resolves.toBeDefined();
    await expect(verify(after)).resolves.toBeDefined();
    issuer.retireOldKeys();
    await expect(verify(before)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    await expect(verify(after)).resolves.toBeDefined();
  });

  it('counts requests per path, answers 404 JSON, and injects JWKS failures', async () => {
    const path = new URL(issuer.jwksUri).pathname;
    const seen = issuer.requests.get(path) ?? 0;
    const missing = await fetch(`${issuer.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not found' });
    issuer.setJwksFailure(503);
    expect((await fetch(issuer.jwksUri)).status).toBe(503);
    issuer.setJwksFailure('hang');
    await expect(fetch(issuer.jwksUri, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    issuer.setJwksFailure(null);
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
    expect(issuer.requests.get(path)).toBe(seen + 3);
  });

  it('builds a pipe step environment consistent with the token', async () => {
    const token = await issuer.mint({ branchName: 'release/1.2' });
    const claims = decodeJwt(token);
    const env = issuer.stepEnvironment(token);
    expect(Object.keys(env).sort()).toEqual(words(STEP_VARIABLES).sort());
    expect(env).toMatchObject({
      BITBUCKET_STEP_OIDC_TOKEN: token,
      BITBUCKET_WORKSPACE: 'acme',
      BITBUCKET_BRANCH: 'release/1.2',
      BITBUCKET_REPO_UUID: claims.repositoryUuid,
      BITBUCKET_STEP_UUID: claims.stepUuid,
      BITBUCKET_PIPELINE_UUID: claims.pipelineUuid,
      BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID: claims.deploymentEnvironmentUuid,
    });
    const plain = issuer.stepEnvironment(await issuer.mint({ deploymentEnvironmentUuid: null }), {
      BITBUCKET_STEP_OIDC_TOKEN: undefined,
      DEBUG: 'true',
    });
    expect(plain).not.toHaveProperty('BITBUCKET_DEPLOYMENT_ENVIRONMENT');
    expect(plain).not.toHaveProperty('BITBUCKET_STEP_OIDC_TOKEN');
    expect(plain.DEBUG).toBe('true');
  });

  it('signs with ES256 when asked', async () => {
    const es = await startIssuer({ workspace: 'globex', algorithm: 'ES256', workspaceUuid: 'abc' });
    try {
      const token = await es.mint();
      expect(decodeProtectedHeader(token).alg).toBe('ES256');
      expect(es.workspaceUuid).toBe('{abc}');
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(es.jwksUri)), {
        issuer: es.url,
        audience: 'ari:cloud:bitbucket::workspace/abc',
      });
      expect(payload.iss).toContain('/2.0/workspaces/globex/');
    } finally {
      await es.close();
    }
  });

  it('serves another issuer path and signs exactly the claims given (a gate token)', async () => {
    const gate = await startIssuer({ algorithm: 'ES256', path: '/oidc' });
    try {
      expect(new URL(gate.url).pathname).toBe('/oidc');
      const claims = gateClaims({
        issuer: gate.url,
        repositoryUuid: issuer.repositoryUuid,
        workspaceUuid: issuer.workspaceUuid,
        environment: 'production',
      });
      const token = await gate.mint({ claims, branchName: 'ignored', expiresInSeconds: 9 });
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
      // Discovery at <issuer>/.well-known/openid-configuration leads to the keys that verify it.
      const config = await discovery(new URL(gate.url), 'sts', undefined, undefined, {
        execute: [allowInsecureRequests],
      });
      const jwks = createRemoteJWKSet(new URL(String(config.serverMetadata().jwks_uri)));
      const { payload } = await jwtVerify(token, jwks, { issuer: gate.url, audience: 'sts.amazonaws.com' });
      expect(payload).toEqual(claims);
      expect(payload.sub).toBe(`repo:${issuer.repositoryUuid.slice(1, -1)}:env:production`);
      expect(payload.exp).toBe(Number(payload.iat) + 300);
    } finally {
      await gate.close();
    }
  });
});
