import type { Values } from '../options/spec.ts';
import type { ServeOptions } from './serve-options.ts';

export interface OAuthClientConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** Read from OAUTH_CLIENT_SECRET_FILE (or given as OAUTH_CLIENT_SECRET); never printed. */
  readonly clientSecret: string;
  readonly audience: string | undefined;
}

/** The OAuth client, when its options are given (serve-rules.ts: all of them or none). */
export function oauthClientOf(v: Values<ServeOptions>): OAuthClientConfig | undefined {
  if (v.oauthIssuer === undefined || v.oauthClientId === undefined || v.oauthClientSecret === undefined)
    return undefined;
  return Object.freeze({
    issuer: v.oauthIssuer,
    clientId: v.oauthClientId,
    clientSecret: v.oauthClientSecret,
    audience: v.oauthAudience,
  });
}
