import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import type { PolicyEngine } from '../../src/policy/types.ts';
import { copyOfExamples, EXAMPLES, policyInput, SATURDAY } from './fixtures.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadPolicySet(EXAMPLES);
});

describe('the sample policy set (examples/policies)', () => {
  it('loads every policy and linked template under its stable id', () => {
    expect([...engine.policyIds].sort()).toEqual([
      'artifacts-from-tags',
      'no-weekend-prod',
      'prod-deploy',
      'prod-needs-review',
      'prod-provision',
      'staging-any-branch',
      'team-can-deploy-to@payments-team@payments-sandbox',
    ]);
    expect(engine.warnings).toEqual([]);
  });

  it('prod-deploy: main may deploy to production', () => {
    const decision = engine.decide(policyInput({ branchName: 'main' }));
    expect(decision).toMatchObject({ verdict: 'allow', determining: ['prod-deploy'], errors: [] });
  });

  it('prod-deploy: another branch is denied, naming the rule and the attribute that failed', () => {
    const decision = engine.decide(policyInput({ branchName: 'feature/x' }));
    expect(decision.verdict).toBe('deny');
    expect(decision.determining).toEqual([]);
    expect(decision.reasons[0]).toContain('no policy permits deploy on Environment::"production"');
    expect(decision.reasons[1]).toBe(
      'policy prod-deploy ("only main deploys to production") applies to deploy on Environment::"production", ' +
        'but its condition failed: principal.branch == "main" — principal.branch is "feature/x"',
    );
    expect(decision.failedPath).toBe('policy prod-deploy: principal.branch');
  });

  it('identity comes from the verified claims, not from the request pipeline block', () => {
    const lying = engine.decide(policyInput({ branchName: 'feature/x', declaredBranch: 'main' }));
    expect(lying.verdict).toBe('deny');
    expect(lying.reasons.join('\n')).toContain('principal.branch is "feature/x"');
    const noClaim = engine.decide(policyInput({ branchName: null, declaredBranch: 'main' }));
    expect(noClaim.verdict).toBe('deny');
    expect(noClaim.reasons[1]).toContain(
      'its condition failed: principal has branch — principal.branch is absent',
    );
  });

  it('staging-any-branch: any branch may deploy to staging', () => {
    const decision = engine.decide(policyInput({ branchName: 'feature/x', environment: 'staging' }));
    expect(decision).toMatchObject({ verdict: 'allow', determining: ['staging-any-branch'] });
  });

  it('no-weekend-prod: a forbid denies with its @reason even though prod-deploy permits', () => {
    const decision = engine.decide(policyInput({ branchName: 'main', now: SATURDAY }));
    expect(decision.verdict).toBe('deny');
    expect(decision.determining).toEqual(['no-weekend-prod']);
    expect(decision.reasons).toEqual([
      'forbidden by policy no-weekend-prod: no production deploys at weekends (UTC); ask the release managers for an exception',
    ]);
    expect(decision.failedPath).toBe('policy no-weekend-prod');
  });

  it('artifacts-from-tags: artifact delivery only from a tagged build', () => {
    const tagged = engine.decide(
      policyInput({ action: 'artifact-delivery', environment: 'artifacts', tag: 'v1.2.0' }),
    );
    expect(tagged).toMatchObject({ verdict: 'allow', determining: ['artifacts-from-tags'] });
    const untagged = engine.decide(policyInput({ action: 'artifact-delivery', environment: 'artifacts' }));
    expect(untagged.verdict).toBe('deny');
    expect(untagged.reasons[1]).toContain(
      'policy artifacts-from-tags ("artifacts are delivered only from tagged builds (the tag Bitbucket ran, not one a step declares)") ' +
        'applies to artifact-delivery on any resource, but its condition failed: context.pipeline has tag — context.pipeline.tag is absent',
    );
    // A feature-branch build that declares a tag is still a branch build: the tag is only asked.
    const declared = engine.decide(
      policyInput({ action: 'artifact-delivery', environment: 'artifacts', declaredTag: 'v9.9.9' }),
    );
    expect(declared.verdict).toBe('deny');
  });

  it('prod-provision: @approval makes the verdict pending with the approver group', () => {
    const decision = engine.decide(policyInput({ action: 'provision', branchName: 'main' }));
    expect(decision).toMatchObject({
      verdict: 'pending',
      determining: ['prod-provision'],
      approvers: ['release-managers'],
    });
    expect(decision.reasons[0]).toContain('allows this once approved by release-managers');
  });

  it('says so when no permit applies to the action and resource at all', () => {
    const decision = engine.decide(policyInput({ action: 'access-grant', environment: 'production' }));
    expect(decision.verdict).toBe('deny');
    expect(decision.reasons).toEqual([
      `no policy permits access-grant on Environment::"production" for Repository::"${policyInput().claims.repositoryUuid}"`,
      'no permit policy applies to access-grant on Environment::"production" at all',
    ]);
  });

  it('digests the whole set: stable for the same files, different when any file changes', async () => {
    expect(engine.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const copy = await copyOfExamples();
    expect((await loadPolicySet(copy)).digest).toBe(engine.digest);
    await writeFile(join(copy, 'groups.json'), '{ "groups": {} }\n');
    expect((await loadPolicySet(copy)).digest).not.toBe(engine.digest);
  });
});
