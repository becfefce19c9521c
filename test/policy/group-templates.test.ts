import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import { copyOfExamples, EXAMPLES, OTHER_REPO, PAYMENTS_REPO, policyInput, WORKSPACE } from './fixtures.ts';

const sandbox = (repositoryUuid: string) =>
  policyInput({ repositoryUuid, environment: 'payments-sandbox', branchName: 'feature/x' });

function groupsJson(group: { repositories?: string[]; workspaces?: string[] }): string {
  const templates = [{ template: 'team-can-deploy-to', environment: 'payments-sandbox' }];
  return JSON.stringify({
    groups: { 'payments-team': { repositories: [], workspaces: [], ...group, templates } },
  });
}

describe('templates linked per group (groups.json)', () => {
  it('lets a repository in the group deploy to its environment, and no one else', async () => {
    const engine = await loadPolicySet(EXAMPLES);
    expect(engine.decide(sandbox(PAYMENTS_REPO))).toMatchObject({
      verdict: 'allow',
      determining: ['team-can-deploy-to@payments-team@payments-sandbox'],
    });
    const outsider = engine.decide(sandbox(OTHER_REPO));
    expect(outsider.verdict).toBe('deny');
    expect(outsider.reasons[1]).toBe(
      'policy team-can-deploy-to@payments-team@payments-sandbox ("a team deploys to its own environment") applies to ' +
        'deploy on Environment::"payments-sandbox", but not to this principal: it requires ' +
        'principal in Group::"payments-team" (the principal is in no group)',
    );
    expect(outsider.failedPath).toBe('policy team-can-deploy-to@payments-team@payments-sandbox: principal');
  });

  it('takes a group change on reload; the old engine keeps deciding as before', async () => {
    const dir = await copyOfExamples();
    const before = await loadPolicySet(dir);
    await writeFile(join(dir, 'groups.json'), groupsJson({ repositories: [OTHER_REPO] }));
    const after = await before.reload();
    expect(after.digest).not.toBe(before.digest);
    expect(after.decide(sandbox(OTHER_REPO)).verdict).toBe('allow');
    expect(after.decide(sandbox(PAYMENTS_REPO)).verdict).toBe('deny');
    // Loading has no side effect on engines already built (the caller swaps atomically).
    expect(before.decide(sandbox(PAYMENTS_REPO)).verdict).toBe('allow');
    expect(before.decide(sandbox(OTHER_REPO)).verdict).toBe('deny');
  });

  it('counts a whole workspace as members, matching UUIDs with or without braces, any case', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'groups.json'),
      groupsJson({ workspaces: [WORKSPACE.slice(1, -1).toUpperCase()] }),
    );
    const engine = await loadPolicySet(dir);
    expect(engine.decide(sandbox(OTHER_REPO)).verdict).toBe('allow');
  });

  it('a failed reload throws and leaves the loaded engine as it was', async () => {
    const dir = await copyOfExamples();
    const engine = await loadPolicySet(dir);
    await writeFile(
      join(dir, 'groups.json'),
      JSON.stringify({
        groups: { 'payments-team': { repositories: [], templates: [{ template: 'nope' }] } },
      }),
    );
    const error = await engine.reload().catch((e: unknown) => e);
    expect(isGateError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(
      'groups.json: groups["payments-team"].templates[0]: no template with @id("nope") in the *.cedar files',
    );
    expect(engine.decide(sandbox(PAYMENTS_REPO)).verdict).toBe('allow');
  });

  it('refuses a link without the environment the template needs', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'groups.json'),
      JSON.stringify({
        groups: { ops: { repositories: [], templates: [{ template: 'team-can-deploy-to' }] } },
      }),
    );
    await expect(loadPolicySet(dir)).rejects.toThrow(
      'groups.json: groups["ops"].templates[0]: template team-can-deploy-to has ?resource: add "environment"',
    );
  });
});
