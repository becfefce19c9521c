/**
 * Validates the step-token verifier's options once, at construction, so a misconfigured
 * decision service refuses to start instead of accepting or refusing tokens by accident.
 */
import { GateError } from '../errors.ts';

/** What Bitbucket signs with and AWS STS accepts (RS256/384/512, ES256/384/512). */
export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
]);

/**
 * Asymmetric algorithms only (RFC 8725 §3.1-3.2): `none` would accept unsigned tokens, and
 * HS* would let anyone holding the issuer's PUBLIC key mint tokens (algorithm confusion).
 */
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);

export interface StepTokenVerifierOptions {
  /** Allowed issuer URLs, matched exactly, e.g. `https://api.bitbucket.org/2.0/workspaces/<ws>/pipelines-config/identity/oidc`. */
  readonly issuers: readonly string[];
  /**
   * Allowed audiences; `aud` may be a string or an array, and one allowed entry suffices.
   * (Looser than OIDC Core §3.1.3.7 #3 on purpose: a step that lists several oidc audiences,
   * e.g. AWS STS and this service, gets ONE token carrying all of them.)
   */
  readonly audiences: readonly string[];
  /** Default RS256/384/512 and ES256/384/512 (what Bitbucket and AWS STS use). Never none/HS*. */
  readonly algorithms?: readonly string[];
  /** Default 30. */
  readonly clockToleranceSeconds?: number;
  /** Allow http:// issuers; for tests only. Default false: https is required at construction. */
  readonly allowInsecureIssuer?: boolean;
  /** Minimum interval between JWKS refetches for an unknown kid, and the pause after a failure. Default 30 s. */
  readonly jwksCooldownMs?: number;
  /** Default 10 min. */
  readonly jwksCacheMaxAgeMs?: number;
  /** Discovery and JWKS HTTP timeout. Default 5 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

export interface ResolvedVerifierOptions {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly allowInsecureIssuer: boolean;
  readonly jwksCooldownMs: number;
  readonly jwksCacheMaxAgeMs: number;
  readonly timeoutMs: number;
}

function invalid(message: string): GateError {
  return new GateError('CONFIG_INVALID', message, { details: { path: 'step token verifier' } });
}

/**
 * OIDC Core §2 / Discovery §2: an issuer identifier is a case-sensitive https URL without
 * query or fragment. Plain http is accepted only when explicitly allowed (tests).
 */
function checkIssuer(issuer: string, allowInsecure: boolean): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw invalid(`issuer ${JSON.stringify(issuer)} is not a URL`);
  }
  if (url.protocol === 'http:' && !allowInsecure)
    throw invalid(
      `issuer ${issuer} must use https (http is allowed only with allowInsecureIssuer, for tests)`,
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`issuer ${issuer} must use https`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw invalid(`issuer ${issuer} must not have a query, fragment or credentials`);
  return issuer;
}

function duration(name: string, value: number | undefined, fallback: number, integer = false): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved < 0 || (integer && !Number.isInteger(resolved)))
    throw invalid(`${name} must be a non-negative ${integer ? 'integer' : 'number'}`);
  return resolved;
}

export function resolveVerifierOptions(options: StepTokenVerifierOptions): ResolvedVerifierOptions {
  const allowInsecureIssuer = options.allowInsecureIssuer ?? false;
  if (options.issuers.length === 0) throw invalid('at least one issuer is required');
  const issuers = options.issuers.map((issuer) => checkIssuer(issuer, allowInsecureIssuer));
  if (options.audiences.length === 0 || options.audiences.some((aud) => aud.trim() === ''))
    throw invalid('at least one audience is required, and none may be empty');
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  const refused = algorithms.filter((alg) => !ASYMMETRIC.has(alg));
  if (algorithms.length === 0 || refused.length > 0)
    throw invalid(
      `algorithms must be asymmetric JWS algorithms (refused: ${refused.join(', ') || 'empty list'})`,
    );
  const timeoutMs = duration('timeoutMs', options.timeoutMs, 5_000, true);
  if (timeoutMs === 0) throw invalid('timeoutMs must be positive');
  return Object.freeze({
    issuers: Object.freeze([...issuers]),
    audiences: Object.freeze([...options.audiences]),
    algorithms: Object.freeze([...algorithms]),
    clockToleranceSeconds: duration('clockToleranceSeconds', options.clockToleranceSeconds, 30),
    allowInsecureIssuer,
    jwksCooldownMs: duration('jwksCooldownMs', options.jwksCooldownMs, 30_000),
    jwksCacheMaxAgeMs: duration('jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs, 600_000),
    timeoutMs,
  });
}
