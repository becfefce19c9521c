import { GateError } from '../errors.ts';

// AssumeRoleWithWebIdentity RoleSessionName: 2–64 characters of [\w+=,.@-] (STS API reference).
const ALLOWED = /^[\w+=,.@-]{2,64}$/;

/** Checks a SESSION_NAME given by the user; returns an error message or undefined. */
export function sessionNameProblem(name: string): string | undefined {
  return ALLOWED.test(name) ? undefined : 'must be 2–64 characters of letters, digits and _+=,.@-';
}

/**
 * Derives a session name that CloudTrail readers can trace back to the pipeline run:
 * `bitbucket-<build number>-<step uuid prefix>`, sanitised to the STS alphabet.
 */
export function deriveSessionName(input: {
  buildNumber?: string | undefined;
  stepUuid?: string | undefined;
}): string {
  const step = (input.stepUuid ?? '').replace(/[{}]/g, '').slice(0, 8);
  const raw = ['bitbucket', input.buildNumber, step]
    .filter((part) => part !== undefined && part !== '')
    .join('-');
  const name = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  if (!ALLOWED.test(name)) throw new GateError('CONFIG_INVALID', 'cannot derive a valid STS session name');
  return name;
}
