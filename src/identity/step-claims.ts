/**
 * Turns a signature-verified payload into the claims a policy may see (P3, docs/security.md).
 * jose has already checked iss, aud, exp and that the required claims are present; this
 * checks their TYPES and Bitbucket's shapes, and that the token agrees with itself: `sub`
 * is `{repositoryUuid}[:{deploymentEnvironmentUuid}]:{stepUuid}`. A token whose claims
 * contradict its own subject is not trustworthy input for a policy, even if signed.
 */
import type { JWTPayload } from 'jose';
import type { StepTokenClaims } from './step-token.ts';

export type VerifiedStepClaims = StepTokenClaims & {
  readonly workspaceUuid: string;
  readonly repositoryUuid: string;
  readonly stepUuid: string;
};

/** Bitbucket prints every identifier as a brace-wrapped UUID. */
const BRACED_UUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

const REQUIRED_UUIDS = ['workspaceUuid', 'repositoryUuid', 'stepUuid'] as const;
const OPTIONAL_UUIDS = ['pipelineUuid', 'deploymentEnvironmentUuid'] as const;

export type ClaimsResult = { ok: true; claims: VerifiedStepClaims } | { ok: false; problem: string };

export function readStepClaims(payload: JWTPayload): ClaimsResult {
  const { iss, sub, aud, exp, iat } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof exp !== 'number')
    return { ok: false, problem: 'iss, sub or exp has the wrong type' };
  if (!(typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))))
    return { ok: false, problem: 'aud is neither a string nor an array of strings' };
  if (iat !== undefined && typeof iat !== 'number') return { ok: false, problem: 'iat is not a number' };

  const uuids: Record<string, string> = {};
  for (const name of [...REQUIRED_UUIDS, ...OPTIONAL_UUIDS]) {
    const value = payload[name];
    if (value === undefined && OPTIONAL_UUIDS.some((optional) => optional === name)) continue;
    if (typeof value !== 'string' || !BRACED_UUID.test(value))
      return { ok: false, problem: `the "${name}" claim is not a brace-wrapped UUID` };
    uuids[name] = value;
  }
  const { workspaceUuid, repositoryUuid, stepUuid, pipelineUuid, deploymentEnvironmentUuid } = uuids;
  if (workspaceUuid === undefined || repositoryUuid === undefined || stepUuid === undefined)
    return { ok: false, problem: 'a required UUID claim is missing' };

  const branchName = payload.branchName;
  if (branchName !== undefined && typeof branchName !== 'string')
    return { ok: false, problem: 'the "branchName" claim is not a string' };

  const expected = [repositoryUuid, deploymentEnvironmentUuid, stepUuid].filter((part) => part !== undefined);
  if (sub !== expected.join(':')) {
    return {
      ok: false,
      problem:
        'sub does not match {repositoryUuid}[:{deploymentEnvironmentUuid}]:{stepUuid} of the same token',
    };
  }

  const claims: VerifiedStepClaims = {
    iss,
    sub,
    aud: typeof aud === 'string' ? aud : Object.freeze([...aud]),
    exp,
    ...(iat === undefined ? {} : { iat }),
    workspaceUuid,
    repositoryUuid,
    stepUuid,
    ...(pipelineUuid === undefined ? {} : { pipelineUuid }),
    ...(deploymentEnvironmentUuid === undefined ? {} : { deploymentEnvironmentUuid }),
    ...(branchName === undefined ? {} : { branchName }),
  };
  return { ok: true, claims: Object.freeze(claims) };
}
