/**
 * The decision service's verifier for Bitbucket step tokens (P3 in docs/security.md: identity is
 * verified, not claimed). The checks follow OIDC Core 1.0 §3.1.3.7 for ID tokens: exact
 * issuer (step 2), an allowed audience (step 3), an allow-listed asymmetric algorithm and a
 * signature by the issuer's published key (steps 6-8, RFC 8725 §3.1), exp and iat against
 * the clock with a tolerance (steps 9-10, RFC 7519 §4.1.4/§4.1.6). Every failure is a value,
 * never an exception; a rejection message names claims and quotes at most a bounded iss or
 * aud, never the token (P5). The policy sees only `claims` of an `ok` result.
 */
import { decodeJwt, jwtVerify } from 'jose';
import { createIssuerKeys, type IssuerKeys } from './issuer-keys.ts';
import { readStepClaims, type VerifiedStepClaims } from './step-claims.ts';
import { quote, reject, rejectionFor, type TokenRejection } from './token-rejection.ts';
import { resolveVerifierOptions, type StepTokenVerifierOptions } from './verifier-options.ts';

export type { VerifiedStepClaims } from './step-claims.ts';
export type { RejectionReason, TokenRejection } from './token-rejection.ts';
export { DEFAULT_ALGORITHMS, type StepTokenVerifierOptions } from './verifier-options.ts';

export interface VerifiedStepToken {
  readonly ok: true;
  readonly claims: VerifiedStepClaims;
  readonly expiresAt: Date;
}

export interface StepTokenVerifier {
  verify(token: string): Promise<VerifiedStepToken | TokenRejection>;
}

/** AWS STS accepts web identity tokens of at most 20,000 characters; so do we. */
const MAX_TOKEN_LENGTH = 20_000;

/** Throws GateError('CONFIG_INVALID') for unusable options; verification never throws. */
export function createStepTokenVerifier(options: StepTokenVerifierOptions): StepTokenVerifier {
  const settings = resolveVerifierOptions(options);
  const now = options.now ?? (() => new Date());
  const keys = new Map<string, IssuerKeys>(
    settings.issuers.map((issuer) => [
      issuer,
      createIssuerKeys(issuer, {
        allowInsecure: settings.allowInsecureIssuer,
        cooldownMs: settings.jwksCooldownMs,
        cacheMaxAgeMs: settings.jwksCacheMaxAgeMs,
        timeoutMs: settings.timeoutMs,
        fetch: options.fetch,
        now: () => now().getTime(),
      }),
    ]),
  );

  const verifyOnce = async (token: string): Promise<VerifiedStepToken | TokenRejection> => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
      return reject('malformed', 'the step token is not a JWT of a plausible size');
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return reject('malformed', 'the step token is not a JWT');
    }
    // The UNVERIFIED iss only picks whose keys to use: a token naming any other issuer is
    // refused here, so nothing leaves this process for it (no fetch of attacker-chosen URLs).
    // jose then refuses an alg outside the allow-list before it asks for a key (RFC 8725 §3.1).
    const issuerKeys = typeof iss === 'string' ? keys.get(iss) : undefined;
    if (issuerKeys === undefined || typeof iss !== 'string')
      return reject('issuer', `the step token issuer ${quote(iss)} is not allowed`);

    const at = now();
    const { payload } = await jwtVerify(token, issuerKeys.getKey, {
      issuer: iss, // implied by the key choice above; jose asserts it again
      audience: [...settings.audiences],
      algorithms: [...settings.algorithms],
      clockTolerance: settings.clockToleranceSeconds,
      currentDate: at,
      requiredClaims: ['sub', 'exp', 'iat', 'workspaceUuid', 'repositoryUuid', 'stepUuid'],
    });
    // jose checks iat only together with maxTokenAge, and Bitbucket's lifetime is
    // undocumented; a token issued in the future is still refused (OIDC Core §3.1.3.7 #10).
    const iat = payload.iat;
    if (typeof iat === 'number' && iat > at.getTime() / 1000 + settings.clockToleranceSeconds)
      return reject('not-yet-valid', 'the step token is not valid yet (iat is in the future)');
    const read = readStepClaims(payload);
    if (!read.ok) return reject('malformed', `the step token claims are not usable: ${read.problem}`);
    return Object.freeze({ ok: true, claims: read.claims, expiresAt: new Date(read.claims.exp * 1000) });
  };

  return Object.freeze({
    verify: async (token: string) => {
      try {
        return await verifyOnce(token);
      } catch (error) {
        return rejectionFor(error);
      }
    },
  });
}
