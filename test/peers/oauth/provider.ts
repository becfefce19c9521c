/**
 * A real OAuth 2.0 authorization server for the decision service's own credentials: panva's
 * oidc-provider on loopback, plain http, issuing RFC 9068 JWT access tokens through the client
 * credentials grant (RFC 6749 §4.4) for one resource (RFC 8707), signed RS256 with a key made
 * at start, so Apache Pulsar's AuthenticationProviderOpenID can verify them like Okta's.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, { type ClientMetadata, errors } from 'oidc-provider';
import { createMemoryAdapter } from './memory-adapter.ts';

export type OAuthProviderOptions = {
  /** The resource indicator and `aud` of every access token. Default `urn:pulsar:cluster`. */
  audience?: string;
  /** The claim Pulsar reads the role from (broker.conf `openIDRoleClaim`). Default `repositoryUuid`. */
  roleClaim?: string;
  /** The role the tokens carry in that claim. Default `pulsar-gate-service`. */
  role?: string;
  /** Access-token lifetime of the `service` client, in seconds. Default 300. */
  serviceTtlSeconds?: number;
  /** Access-token lifetime of the `shortLived` client, in seconds. Default 4. */
  shortLivedTtlSeconds?: number;
  /**
   * People who sign in (issue 16): the login form accepts each by `sub` (any password), and
   * their ID tokens carry `name`, `email`, `groups` and `bitbucket_account`. With them comes a
   * public client `approvals.clientId` for the device authorization grant (RFC 8628) and the
   * authorization code flow with PKCE at `approvals.redirectUris`.
   */
  people?: readonly ProviderPerson[];
  approvals?: { clientId?: string; clientSecret?: string; redirectUris?: readonly string[] };
};

export type ProviderPerson = {
  sub: string;
  name: string;
  groups?: readonly string[];
  bitbucket?: string;
};

export type OAuthClientInfo = {
  clientId: string;
  clientSecret: string;
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  authMethod: 'client_secret_basic' | 'client_secret_post';
  ttlSeconds: number;
};

/** Plain JSON: what a vitest globalSetup can hand to the workers through provide(). */
export type OAuthProviderInfo = {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  audience: string;
  roleClaim: string;
  role: string;
  clients: { service: OAuthClientInfo; shortLived: OAuthClientInfo };
};

export type OAuthProvider = OAuthProviderInfo & {
  /** The public client people sign in with (device flow, code + PKCE). */
  approvalsClientId: string;
  info: OAuthProviderInfo;
  /** Access tokens issued so far, by all clients or by one client id. */
  tokensIssued(clientId?: string): number;
  close(): Promise<void>;
};

const secret = (): string => randomBytes(24).toString('base64url');

function client(clientId: string, authMethod: OAuthClientInfo['authMethod'], ttlSeconds: number) {
  return { clientId: `${clientId}-${secret().slice(0, 6)}`, clientSecret: secret(), authMethod, ttlSeconds };
}

async function signingKeys() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }] };
}

export async function startOAuthProvider(options: OAuthProviderOptions = {}): Promise<OAuthProvider> {
  const audience = options.audience ?? 'urn:pulsar:cluster';
  const roleClaim = options.roleClaim ?? 'repositoryUuid';
  const role = options.role ?? 'pulsar-gate-service';
  const clients = {
    service: client('pulsar-gate-service', 'client_secret_basic', options.serviceTtlSeconds ?? 300),
    shortLived: client('pulsar-gate-short', 'client_secret_post', options.shortLivedTtlSeconds ?? 4),
  };
  const ttlOf = new Map(Object.values(clients).map((c) => [c.clientId, c.ttlSeconds]));
  const issued = new Map<string, number>();

  // The issuer must name the port, so listen first and attach the provider once it exists.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle === undefined) res.writeHead(503).end();
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const people = new Map((options.people ?? []).map((p) => [p.sub, p]));
  const approvalsClientId = options.approvals?.clientId ?? 'pulsar-gate-approvals';
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    clients: [
      ...Object.values(clients).map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: c.authMethod,
      })),
      ...(people.size === 0 ? [] : [approvalsClient(approvalsClientId, options.approvals)]),
    ],
    ...(people.size === 0 ? {} : peopleSettings(people)),
    jwks: await signingKeys(),
    // Only the token endpoint is used, so no session cookie is ever set; keys avoid a warning.
    cookies: { keys: [secret()] },
    features: {
      // The provider's own login and consent forms, for the people above only.
      devInteractions: { enabled: people.size > 0 },
      deviceFlow: { enabled: people.size > 0 },
      clientCredentials: { enabled: true },
      // RFC 8707: one resource, the Pulsar cluster; without `resource` the grant defaults to it.
      // Its tokens are RFC 9068 JWTs signed RS256 (the provider's key), not opaque handles.
      resourceIndicators: {
        enabled: true,
        // The approvals client wants ID tokens only: no resource, so no Pulsar access token.
        defaultResource: async (ctx) =>
          ctx.oidc.client?.clientId === approvalsClientId ? undefined : audience,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return { scope: 'pulsar', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    ttl: { ClientCredentials: (_ctx, token) => ttlOf.get(token.clientId) ?? 60 },
    // Pulsar takes the role from `openIDRoleClaim`, one claim name for the whole broker.
    extraTokenClaims: async () => ({ [roleClaim]: role }),
    // No `nbf`: RFC 9068 does not list it and oidc-provider does not set it. The test broker
    // (Pulsar 3.0.16) accepts such tokens; 4.0.8 and older would not (apache/pulsar#25197).
  });
  provider.on('grant.success', (ctx) => {
    const id = ctx.oidc.client?.clientId ?? '';
    issued.set(id, (issued.get(id) ?? 0) + 1);
  });
  handle = provider.callback();

  const info: OAuthProviderInfo = {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    audience,
    roleClaim,
    role,
    clients,
  };
  return {
    ...info,
    info,
    approvalsClientId,
    tokensIssued: (clientId) =>
      clientId === undefined
        ? [...issued.values()].reduce((sum, n) => sum + n, 0)
        : (issued.get(clientId) ?? 0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

function approvalsClient(clientId: string, o: OAuthProviderOptions['approvals']): ClientMetadata {
  const secret = o?.clientSecret;
  return {
    client_id: clientId,
    ...(secret
      ? { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' as const }
      : { token_endpoint_auth_method: 'none' as const }),
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'authorization_code'],
    response_types: ['code'],
    redirect_uris: [...(o?.redirectUris ?? ['http://127.0.0.1/unused'])],
  };
}

/** Who signs in, and the claims their ID tokens carry (in the ID token itself, not only userinfo). */
function peopleSettings(people: ReadonlyMap<string, ProviderPerson>) {
  return {
    conformIdTokenClaims: false,
    scopes: ['openid', 'profile', 'email', 'groups', 'bitbucket'],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
      bitbucket: ['bitbucket_account'],
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const person = people.get(sub);
      if (person === undefined) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: person.name,
          email: `${sub}@example.com`,
          email_verified: true,
          groups: [...(person.groups ?? [])],
          ...(person.bitbucket ? { bitbucket_account: person.bitbucket } : {}),
        }),
      };
    },
  };
}
