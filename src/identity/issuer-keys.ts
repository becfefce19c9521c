/**
 * The signing keys of ONE configured issuer: OIDC Discovery 1.0 §4 (openid-client) finds
 * `jwks_uri`, then jose's remote JWK Set (RFC 7517) caches the keys and refetches on an unknown
 * `kid` at most once per cooldown. Only configured issuers ever get one of these, so a token
 * cannot make the service fetch a URL of its choosing (RFC 8725 §3.8, SSRF).
 *
 * Failures fail closed (P4, docs/security.md) and are not cached forever: after a failed discovery
 * or JWKS fetch, requests to the issuer pause for the cooldown, then the next verification
 * tries again. During that pause keys already held (and still within their max age) keep
 * verifying, so a flood of tokens cannot turn an issuer outage into a request storm.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWTVerifyGetKey,
  customFetch as joseFetch,
} from 'jose';
import * as oidc from 'openid-client';
import { describeFailure, KeysUnavailableError } from './token-rejection.ts';

export interface IssuerKeySettings {
  readonly allowInsecure: boolean;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch | undefined;
  /** Milliseconds since the epoch (the verifier's injectable clock). */
  readonly now: () => number;
}

export interface IssuerKeys {
  /** A jose key resolver; throws KeysUnavailableError when the keys cannot be had. */
  readonly getKey: JWTVerifyGetKey;
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/** We only read metadata; no token endpoint is ever called, so no client secret exists. */
const CLIENT_ID = 'pulsar-gate';

export function createIssuerKeys(issuer: string, settings: IssuerKeySettings): IssuerKeys {
  let remote: RemoteKeys | undefined;
  let pending: Promise<RemoteKeys> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  const pausing = (): boolean => settings.now() - failedAt < settings.cooldownMs;
  const failed = (what: string, cause: unknown): KeysUnavailableError => {
    failedAt = settings.now();
    return new KeysUnavailableError(`${what} of ${issuer} failed: ${describeFailure(cause)}`, { cause });
  };

  const discover = async (): Promise<RemoteKeys> => {
    const config = await oidc.discovery(new URL(issuer), CLIENT_ID, undefined, oidc.None(), {
      timeout: settings.timeoutMs / 1000,
      ...(settings.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      ...(settings.fetch === undefined ? {} : { [oidc.customFetch]: discoveryFetch(settings.fetch) }),
    });
    const metadata = config.serverMetadata();
    // OIDC Discovery §4.3: the document's issuer MUST be identical to the one discovered
    // (openid-client compares normalised URLs; tokens are matched on the exact string).
    if (metadata.issuer !== issuer) throw new Error('the discovery document names another issuer');
    if (typeof metadata.jwks_uri !== 'string') throw new Error('the discovery document has no jwks_uri');
    const jwksUri = new URL(metadata.jwks_uri);
    // jose fetches http:// too; TLS for the keys is what makes the signatures mean anything.
    if (jwksUri.protocol !== 'https:' && !(settings.allowInsecure && jwksUri.protocol === 'http:'))
      throw new Error('the discovery document has a jwks_uri that is not https');
    return createRemoteJWKSet(jwksUri, {
      cooldownDuration: settings.cooldownMs,
      cacheMaxAge: settings.cacheMaxAgeMs,
      timeoutDuration: settings.timeoutMs,
      ...(settings.fetch === undefined ? {} : { [joseFetch]: settings.fetch }),
    });
  };

  const keySet = async (): Promise<RemoteKeys> => {
    if (remote !== undefined) return remote;
    if (pausing()) throw new KeysUnavailableError(`discovery of ${issuer} failed recently; retrying later`);
    // Concurrent verifications share one discovery request.
    pending ??= discover()
      .then((found) => {
        remote = found;
        return found;
      })
      .catch((cause: unknown) => {
        throw failed('discovery', cause);
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const keys = await keySet();
    if (pausing()) {
      const held = keys.fresh ? keys.jwks() : undefined;
      if (held === undefined)
        throw new KeysUnavailableError(`the JWKS of ${issuer} failed recently; retrying later`);
      return createLocalJWKSet(held)(header, token); // no request while pausing
    }
    try {
      return await keys(header, token);
    } catch (cause) {
      // "No such key" is the token's fault and jose already bounds its refetching.
      if (cause instanceof errors.JWKSNoMatchingKey || cause instanceof errors.JWKSMultipleMatchingKeys)
        throw cause;
      throw failed('the JWKS fetch', cause);
    }
  };

  return Object.freeze({ getKey });
}

/** openid-client may pass `body: undefined`, which fetch's RequestInit (exactly typed) spells null. */
function discoveryFetch(fetchImpl: typeof fetch): oidc.CustomFetch {
  return (url, init) => fetchImpl(url, { ...init, body: init.body ?? null });
}
