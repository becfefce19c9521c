/**
 * Web identity token verification as IAM's OIDC providers do it: the token's `iss` selects a
 * registered provider, its keys come from OIDC Discovery 1.0 §4 (`<iss>/.well-known/
 * openid-configuration` → `jwks_uri`, an RFC 7517 JWK Set), cached between calls and fetched
 * again when a token names a kid the cache lacks (a key rotation). AWS accepts only RSA and
 * ECDSA signatures (AWS STS API Reference, AssumeRoleWithWebIdentity `WebIdentityToken`), and
 * `aud` must be one of the provider's registered client ids.
 */
import { createLocalJWKSet, decodeJwt, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { IDP_UNREACHABLE, StsError } from './errors.ts';

export type ProviderDefinition = { url: string; clientIds?: string[] };
export type VerifiedToken = { iss: string; sub: string; aud: string; claims: JWTPayload };

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];
const CACHE_MS = 10 * 60_000;

function invalid(message: string, reason: string = message): StsError {
  return new StsError('InvalidIdentityToken', message, reason);
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new StsError('IDPCommunicationError', IDP_UNREACHABLE, `GET ${url}: ${String(error)}`);
  }
  if (!response.ok) {
    throw new StsError('IDPCommunicationError', IDP_UNREACHABLE, `GET ${url}: HTTP ${response.status}`);
  }
  try {
    return await response.json();
  } catch {
    throw new StsError('IDPCommunicationError', IDP_UNREACHABLE, `GET ${url}: not JSON`);
  }
}

export function createVerifier(
  providers: readonly ProviderDefinition[],
  defaultClientIds: readonly string[],
  timeoutMs: number,
) {
  const cache = new Map<string, { jwks: JSONWebKeySet; at: number }>();

  async function loadKeys(iss: string): Promise<JSONWebKeySet> {
    const discovery = await getJson(`${iss}/.well-known/openid-configuration`, timeoutMs);
    const jwksUri = (discovery as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string') {
      throw new StsError('IDPCommunicationError', IDP_UNREACHABLE, 'discovery document has no jwks_uri');
    }
    const jwks = await getJson(jwksUri, timeoutMs);
    if (!Array.isArray((jwks as { keys?: unknown } | null)?.keys)) {
      throw new StsError('IDPCommunicationError', IDP_UNREACHABLE, `${jwksUri} is not a JWK Set`);
    }
    cache.set(iss, { jwks: jwks as JSONWebKeySet, at: Date.now() });
    return jwks as JSONWebKeySet;
  }

  async function verifySignature(token: string, iss: string): Promise<JWTPayload> {
    const cached = cache.get(iss);
    const fresh = cached === undefined || Date.now() - cached.at > CACHE_MS;
    const jwks = fresh ? await loadKeys(iss) : cached.jwks;
    const verify = (keys: JSONWebKeySet) =>
      jwtVerify(token, createLocalJWKSet(keys), { issuer: iss, algorithms: ALGORITHMS, clockTolerance: 0 });
    try {
      try {
        return (await verify(jwks)).payload;
      } catch (error) {
        // A kid the cached set lacks may be a new key: fetch once more, as after a rotation.
        if (!(error instanceof errors.JWKSNoMatchingKey) || fresh) throw error;
        return (await verify(await loadKeys(iss))).payload;
      }
    } catch (error) {
      if (error instanceof StsError) throw error;
      if (error instanceof errors.JWTExpired) {
        const exp = error.payload.exp;
        const now = Math.floor(Date.now() / 1000);
        throw new StsError(
          'ExpiredTokenException',
          `Token expired: current date/time ${now} must be before the expiration date/time ${exp}`,
        );
      }
      // A token used before its nbf: AWS documents no wording for it; the token is invalid.
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
        throw invalid(
          'The web identity token is not yet valid',
          `nbf ${String(error.payload.nbf)} is in the future`,
        );
      }
      if (error instanceof errors.JWKSNoMatchingKey)
        throw invalid(IDP_UNREACHABLE, 'no key in the JWKS matches the kid');
      const code = error instanceof errors.JOSEError ? error.code : 'ERR_UNKNOWN';
      throw invalid('Signature verification failed for the web identity token', `${code}: ${String(error)}`);
    }
  }

  return async function verifyToken(token: string): Promise<VerifiedToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw invalid(
        'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
      );
    }
    const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
    const provider = providers.find((p) => p.url === iss);
    if (provider === undefined) throw invalid(`No OpenIDConnect provider found in your account for ${iss}`);
    const claims = await verifySignature(token, iss);
    if (typeof claims.sub !== 'string') throw invalid('The token has no sub claim', 'missing sub');
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    const registered = provider.clientIds ?? defaultClientIds;
    const aud = audiences.find((a) => registered.includes(a));
    if (aud === undefined) {
      throw invalid(
        'Incorrect token audience',
        `aud ${JSON.stringify(claims.aud)} is not a client id of ${iss}`,
      );
    }
    return { iss, sub: claims.sub, aud, claims };
  };
}
