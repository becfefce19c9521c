// oidc-provider ships no types; these are only the parts test/peers/oauth/provider.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { JWK } from 'jose';

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    grant_types: string[];
    response_types: string[];
    redirect_uris: string[];
    token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'none';
    scope?: string;
  }

  /** An account as findAccount returns it (people who sign in, issue 16). */
  export interface Account {
    accountId: string;
    claims: () => Promise<Record<string, unknown>>;
  }

  /** The parts of the request context the hooks below read. */
  export interface HookContext {
    oidc: { client?: Client };
  }

  export interface Client {
    readonly clientId: string;
  }

  /** The ClientCredentials model as the hooks below see it. */
  export interface ClientCredentialsToken {
    readonly kind: string;
    readonly clientId: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenFormat?: 'jwt' | 'opaque';
    jwt?: { sign?: { alg: string } };
  }

  export interface JwtStructuredToken {
    header: Record<string, unknown> | undefined;
    payload: Record<string, unknown> & { iat: number };
  }

  export interface AdapterPayload {
    uid?: string;
    userCode?: string;
    grantId?: string;
    consumed?: number;
    [claim: string]: unknown;
  }

  /** oidc-provider's storage interface, one instance per model name. */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Configuration {
    adapter?: (model: string) => Adapter;
    clients: ClientMetadata[];
    jwks: { keys: JWK[] };
    cookies?: { keys: string[] };
    features: {
      devInteractions?: { enabled: boolean };
      deviceFlow?: { enabled: boolean };
      clientCredentials: { enabled: boolean };
      resourceIndicators: {
        enabled: boolean;
        defaultResource: (ctx: HookContext, client: Client) => Promise<string | undefined>;
        getResourceServerInfo: (
          ctx: unknown,
          resource: string,
          client: Client,
        ) => Promise<ResourceServerInfo>;
      };
    };
    conformIdTokenClaims?: boolean;
    scopes?: string[];
    claims?: Record<string, string[]>;
    findAccount?: (ctx: unknown, sub: string) => Promise<Account | undefined>;
    ttl: { ClientCredentials: (ctx: unknown, token: ClientCredentialsToken, client: Client) => number };
    extraTokenClaims: (ctx: unknown, token: ClientCredentialsToken) => Promise<Record<string, unknown>>;
    formats?: {
      customizers?: {
        jwt?: (ctx: unknown, token: ClientCredentialsToken, jwt: JwtStructuredToken) => void | Promise<void>;
      };
    };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'grant.success', listener: (ctx: { oidc: { client?: Client } }) => void): this;
  }

  export namespace errors {
    class InvalidTarget extends Error {
      constructor(description?: string);
    }
  }
}
