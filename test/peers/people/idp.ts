/**
 * The organisation's IdP as the approvals desk meets it, for tests that need a person's OIDC
 * ID token without a browser or a device flow: discovery (OIDC Discovery 1.0 §4) and a JWKS
 * on loopback, and ID tokens minted for named people with groups and an optional Bitbucket
 * account claim, RS256 with a key made at start. The device flow and the login form are the
 * oidc-provider peer's (test/peers/oauth/provider.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface Person {
  readonly sub: string;
  readonly name: string;
  readonly groups?: readonly string[];
  /** Goes in the `bitbucket_account` claim when given. */
  readonly bitbucket?: string;
}

export interface PeopleIdp {
  readonly issuer: string;
  readonly clientId: string;
  idToken(
    person: Person,
    options?: { audience?: string; expiresInSeconds?: number; signWithOtherKey?: boolean },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startPeopleIdp(clientId = 'pulsar-gate-approvals'): Promise<PeopleIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  let issuer = '';
  const server = createServer((request, response) => {
    const json = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/openid-configuration')
      json({
        issuer,
        jwks_uri: `${issuer}/jwks`,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    else if (request.url === '/jwks') json({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] });
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    idToken: (person, options = {}) =>
      new SignJWT({
        name: person.name,
        groups: [...(person.groups ?? [])],
        ...(person.bitbucket ? { bitbucket_account: person.bitbucket } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(issuer)
        .setSubject(person.sub)
        .setAudience(options.audience ?? clientId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 600))
        .sign(options.signWithOtherKey ? other.privateKey : privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
