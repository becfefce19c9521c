import { GateError } from '../errors.ts';
import { unverifiedClaims } from '../jose/unverified-claims.ts';

/** The claims of a Bitbucket step token as read — not as trusted (P3, docs/security.md). */
export interface StepTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Seconds since the epoch. The lifetime is undocumented: always read it. */
  readonly exp: number;
  readonly iat?: number;
  /**
   * Bitbucket never sets it; Pulsar's OpenID provider before 3.0.16, 4.0.9 and 4.1.3 refuses
   * tokens without it (docs/notes/pulsar-oidc-auth.md §3).
   */
  readonly nbf?: number;
  readonly workspaceUuid?: string;
  readonly repositoryUuid?: string;
  readonly pipelineUuid?: string;
  readonly stepUuid?: string;
  readonly branchName?: string;
  readonly deploymentEnvironmentUuid?: string;
}

export interface StepToken {
  /** The compact JWT. Never print it. */
  readonly value: string;
  readonly claims: StepTokenClaims;
}

/**
 * Decodes the step's OIDC token for the log and the request event. The pipe does not
 * verify it — AWS STS and the decision service do, against the issuer's keys — so nothing
 * here is a security decision; it only turns a missing or unusable token into a clear error.
 */
export async function readStepToken(value: string | undefined): Promise<StepToken> {
  if (value === undefined || value.trim() === '') {
    throw new GateError('TOKEN_MISSING', 'BITBUCKET_STEP_OIDC_TOKEN is not set', {
      details: { path: 'step OIDC token' },
    });
  }
  let payload: Record<string, unknown>;
  try {
    payload = await unverifiedClaims(value.trim());
  } catch (cause) {
    throw new GateError('TOKEN_MALFORMED', 'BITBUCKET_STEP_OIDC_TOKEN is not a JWT', { cause });
  }
  const { iss, sub, aud, exp } = payload;
  const audOk = typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'));
  if (typeof iss !== 'string' || typeof sub !== 'string' || !audOk || typeof exp !== 'number') {
    throw new GateError('TOKEN_MALFORMED', 'BITBUCKET_STEP_OIDC_TOKEN lacks iss, sub, aud or exp');
  }
  const claims: StepTokenClaims = {
    iss,
    sub,
    aud: aud as string | string[],
    exp,
    ...optionalNumber('iat', payload.iat),
    ...optionalNumber('nbf', payload.nbf),
    ...optionalStrings(payload, [
      'workspaceUuid',
      'repositoryUuid',
      'pipelineUuid',
      'stepUuid',
      'branchName',
      'deploymentEnvironmentUuid',
    ]),
  };
  return Object.freeze({ value: value.trim(), claims: Object.freeze(claims) });
}

/** Seconds until the token expires (negative when it already has). */
export function secondsLeft(token: StepToken, nowMs: number): number {
  return token.claims.exp - Math.floor(nowMs / 1000);
}

function optionalNumber(key: 'iat' | 'nbf', value: unknown): { iat?: number; nbf?: number } {
  return typeof value === 'number' ? { [key]: value } : {};
}

function optionalStrings(payload: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = payload[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}
