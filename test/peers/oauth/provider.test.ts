import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { allowInsecureRequests, discovery } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthClientInfo, type OAuthProvider, startOAuthProvider } from './provider.ts';

/** A bare RFC 6749 §4.4.2 token request, so this peer is tested without the code under test. */
async function grant(
  provider: OAuthProvider,
  client: OAuthClientInfo,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...extra });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.authMethod === 'client_secret_basic') {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
    const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  const response = await fetch(provider.tokenEndpoint, { method: 'POST', headers, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('OAuth2 provider for the service (oidc-provider)', () => {
  let provider: OAuthProvider;
  beforeAll(async () => {
    provider = await startOAuthProvider({ shortLivedTtlSeconds: 4 });
  });
  afterAll(() => provider.close());

  it('serves a discovery document openid-client accepts, naming the token and JWKS endpoints', async () => {
    const config = await discovery(
      new URL(provider.issuer),
      provider.clients.service.clientId,
      undefined,
      undefined,
      {
        execute: [allowInsecureRequests],
      },
    );
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(provider.issuer);
    expect(metadata.token_endpoint).toBe(provider.tokenEndpoint);
    expect(metadata.jwks_uri).toBe(provider.jwksUri);
    expect(metadata.grant_types_supported).toContain('client_credentials');
  });

  it('issues RFC 9068 JWT access tokens with the role claim Pulsar reads, verifiable via jwks_uri', async () => {
    const before = provider.tokensIssued();
    const { status, body } = await grant(provider, provider.clients.service);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const { payload, protectedHeader } = await jwtVerify(
      String(body.access_token),
      createRemoteJWKSet(new URL(provider.jwksUri)),
      { issuer: provider.issuer, audience: 'urn:pulsar:cluster', algorithms: ['RS256'], typ: 'at+jwt' },
    );
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({
      iss: provider.issuer,
      aud: provider.audience,
      sub: provider.clients.service.clientId,
      repositoryUuid: 'pulsar-gate-service',
    });
    // RFC 9068's claims, without nbf: the broker must accept tokens as real IdPs issue them.
    expect(payload).not.toHaveProperty('nbf');
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp).toBe((payload.iat ?? 0) + 300);
    expect(provider.tokensIssued()).toBe(before + 1);
    expect(provider.tokensIssued(provider.clients.service.clientId)).toBeGreaterThanOrEqual(1);
  });

  it('gives the short-lived client (client_secret_post) tokens that live exactly its TTL', async () => {
    const { status, body } = await grant(provider, provider.clients.shortLived);
    expect(status).toBe(200);
    expect(body.expires_in).toBe(4);
    const payload = decodeJwt(String(body.access_token));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(4);
    expect(payload.sub).toBe(provider.clients.shortLived.clientId);
  });

  it('refuses a wrong secret with 401 invalid_client and an unknown resource with invalid_target', async () => {
    const before = provider.tokensIssued();
    const wrong = await grant(provider, { ...provider.clients.service, clientSecret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const target = await grant(provider, provider.clients.service, { resource: 'urn:somewhere:else' });
    expect(target.status).toBe(400);
    expect(target.body.error).toBe('invalid_target');
    expect(provider.tokensIssued()).toBe(before);
  });

  it('describes itself as plain JSON, so a globalSetup can provide() it to workers', () => {
    const info = JSON.parse(JSON.stringify(provider.info)) as unknown;
    expect(info).toEqual(provider.info);
    expect(provider.info).toMatchObject({ audience: 'urn:pulsar:cluster', roleClaim: 'repositoryUuid' });
  });
});
