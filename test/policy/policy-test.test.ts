import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import { testPolicyRequest } from '../../src/policy/policy-test.ts';
import { copyOfExamples, EXAMPLES, PAYMENTS_REPO, WORKSPACE } from './fixtures.ts';

async function requestFile(body: unknown): Promise<string> {
  const file = join(await copyOfExamples(), 'request.json');
  await writeFile(file, JSON.stringify(body));
  return file;
}

const claims = { workspaceUuid: WORKSPACE, repositoryUuid: PAYMENTS_REPO };
/** Any time but the wall clock's: a request file without `now` must be judged at this one. */
const CLOCK = { now: () => Date.parse('2031-01-02T03:04:05Z') };

describe('testPolicyRequest (pulsar-gate-service policy test)', () => {
  it('prints a denied request with the rule, the failing attribute and where it failed', async () => {
    const file = await requestFile({
      claims: { ...claims, branchName: 'feature/x' },
      request: { action: 'deploy', environment: 'production', pipeline: { branch: 'main' } },
      facts: {
        environment: { name: 'Production', slug: 'production', type: 'Production' },
        pipeline: { ref: 'branch', name: 'feature/x', commit: '9fceb02d0ae598e95dc970b74767f19372d61af8' },
      },
      now: '2030-05-01T12:00:00Z',
    });
    const { decision, text } = await testPolicyRequest(EXAMPLES, file, CLOCK);
    expect(decision.verdict).toBe('deny');
    const { digest } = await loadPolicySet(EXAMPLES);
    expect(text.split('\n')).toEqual([
      `policy set ${EXAMPLES} (digest ${digest}, 7 policies)`,
      'request:    deploy on Environment::"production" (Production, bitbucket-api); asked for "production"',
      'pipeline:   branch feature/x at 9fceb02d0ae598e95dc970b74767f19372d61af8 (verified)',
      `principal:  Repository::"${PAYMENTS_REPO}" in workspace ${WORKSPACE}, branch feature/x`,
      'time:       2030-05-01T12:00:00.000Z',
      'verdict:    DENY',
      'determining: (none)',
      'failed at:  policy prod-deploy: principal.branch',
      'reasons:',
      `  - no policy permits deploy on Environment::"production" for Repository::"${PAYMENTS_REPO}"`,
      '  - policy prod-deploy ("only main deploys to production") applies to deploy on Environment::"production", ' +
        'but its condition failed: principal.branch == "main" — principal.branch is "feature/x"',
    ]);
  });

  it('prints approvers for a pending decision', async () => {
    const file = await requestFile({
      claims: { ...claims, branchName: 'main' },
      request: { action: 'provision', environment: 'production' },
      now: '2030-05-01T12:00:00Z',
    });
    const { decision, text } = await testPolicyRequest(EXAMPLES, file, CLOCK);
    expect(decision.verdict).toBe('pending');
    expect(text).toContain('verdict:    PENDING\ndetermining: prod-provision\n');
    expect(text).toContain('approvers:  release-managers');
  });

  it('refuses a request file it cannot read as one, naming the field', async () => {
    const file = await requestFile({ claims, request: { action: 'destroy', environment: 'production' } });
    const error = await testPolicyRequest(EXAMPLES, file, CLOCK).catch((e: unknown) => e);
    expect(isGateError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      `${file}: request.action must be one of deploy, provision, access-grant, artifact-delivery`,
    );
  });

  it('judges a request file without `now` at the injected clock’s time', async () => {
    const file = await requestFile({ claims, request: { action: 'deploy', environment: 'staging' } });
    const { text } = await testPolicyRequest(EXAMPLES, file, CLOCK);
    expect(text).toContain('time:       2031-01-02T03:04:05.000Z');
  });
});
