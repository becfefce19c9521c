import { describe, expect, it } from 'vitest';
import { deriveSessionName, sessionNameProblem } from '../../src/credentials/session-name.ts';

describe('STS session names (2–64 of [\\w+=,.@-])', () => {
  it('derives bitbucket-<build>-<step prefix> from the step', () => {
    expect(
      deriveSessionName({ buildNumber: '1742', stepUuid: '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}' }),
    ).toBe('bitbucket-1742-a1b2c3d4');
  });

  it('sanitises and bounds what it is given', () => {
    const name = deriveSessionName({ buildNumber: '12 34/5'.repeat(20), stepUuid: undefined });
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(name).not.toContain(' ');
    expect(deriveSessionName({})).toBe('bitbucket');
  });

  it('checks a SESSION_NAME given by the user', () => {
    expect(sessionNameProblem('deploy@prod')).toBeUndefined();
    expect(sessionNameProblem('x')).toMatch(/2–64/);
    expect(sessionNameProblem('a'.repeat(65))).toMatch(/2–64/);
    expect(sessionNameProblem('has space')).toMatch(/letters/);
  });
});
