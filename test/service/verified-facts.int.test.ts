import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BitbucketSite, bitbucketSite } from '../peers/bitbucket/site.ts';
import { braceUuid } from '../peers/oidc/claims.ts';
import { siteFacts } from '../support/bitbucket.ts';
import { type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';

// An attacker with one pipeline of their own, against the real broker, the real decision
// service (in-process) and a Bitbucket API peer over HTTP: every fact the policy gates on
// must come from the token or from Bitbucket, never from what the request declares.

/** Listed in examples/policies/groups.json under payments-team (template: payments-sandbox). */
const PAYMENTS_REPO = '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}';

let fx: ServiceFixture;
let site: BitbucketSite;
let running: { stop(): Promise<void> };
beforeAll(async () => {
  site = await bitbucketSite();
  fx = await serviceFixture({ now: WEEKDAY, openEnvironments: ['payments-sandbox'] });
  running = await fx.start();
}, 60_000);
afterAll(async () => {
  await running?.stop();
  await fx?.close();
});

const repository = () => ({
  workspaceUuid: fx.issuer.workspaceUuid,
  repositoryUuid: fx.issuer.repositoryUuid,
});

describe('the environment is the one the step token proves, named by Bitbucket', () => {
  it('a staging step asking for production gets a signed deny naming both, not the prod allow', async () => {
    const { decision, requestId } = await fx.ask({
      environment: 'production',
      mint: { environment: 'staging' },
    });
    expect(decision?.verdict).toBe('deny');
    expect(decision?.reasons).toEqual([
      'the step token proves deployment environment "staging" (Staging), but the request asks for "production"',
    ]);
    expect(decision?.failedPath).toBe('deployment environment (step token vs request)');
    // The decision log names what was verified and what was only asked for.
    const logged = fx.decisions.find((d) => d.requestId === requestId);
    expect(logged?.verified?.environment).toEqual({
      name: 'staging',
      slug: 'staging',
      type: 'Staging',
      source: 'bitbucket-api',
    });
    expect(logged?.asked.environment).toBe('production');
  });

  it('the same step asking for its own environment is decided by the policy on verified facts', async () => {
    const { decision, requestId } = await fx.ask({
      environment: 'staging',
      mint: { branchName: 'feature/y' },
    });
    expect(decision).toMatchObject({ verdict: 'allow', policy: { ids: ['staging-any-branch'] } });
    const verified = fx.decisions.find((d) => d.requestId === requestId)?.verified;
    expect(verified?.pipeline).toMatchObject({ ref: 'branch', branch: 'feature/y', trigger: 'push' });
    expect(verified?.pipeline?.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a step without a deployment environment: only the environments the operator opened', async () => {
    const production = await fx.ask({ environment: 'production', mint: { environment: null } });
    expect(production.decision?.verdict).toBe('deny');
    expect(production.decision?.reasons[0]).toBe(
      'the step has no deployment environment, and "production" is not open to such steps (open: payments-sandbox)',
    );
    const sandbox = await fx.ask({
      environment: 'payments-sandbox',
      mint: { environment: null, repositoryUuid: PAYMENTS_REPO },
    });
    expect(sandbox.decision?.verdict).toBe('allow');
  });

  it('an environment UUID Bitbucket does not know is a deny naming it, never a guess', async () => {
    const unknown = braceUuid();
    const { decision } = await fx.ask({
      environment: 'production',
      mint: { deploymentEnvironmentUuid: unknown },
    });
    expect(decision?.verdict).toBe('deny');
    expect(decision?.reasons[0]).toContain(`could not look up the deployment environment ${unknown}`);
    expect(decision?.failedPath).toBe("Bitbucket's REST API (BITBUCKET_NOT_FOUND)");
  });
});

describe('the ref, the commit and who ran it are the pipeline Bitbucket ran', () => {
  it.each([
    ['branch', { branch: 'main' }, 'the request declares branch "main", but Bitbucket ran pipeline'],
    ['tag', { tag: 'v9.9.9' }, 'the request declares tag "v9.9.9", but Bitbucket ran pipeline'],
    [
      'commit',
      { commit: 'f'.repeat(40) },
      `the request declares commit "${'f'.repeat(40)}", but Bitbucket ran pipeline`,
    ],
  ])(
    'a declared %s that Bitbucket contradicts: a signed deny naming the field',
    async (field, declare, reason) => {
      const { decision } = await fx.ask({
        environment: 'staging',
        mint: { branchName: 'feature/x' },
        declare,
      });
      expect(decision?.verdict).toBe('deny');
      expect(decision?.reasons[0]).toContain(reason);
      expect(decision?.failedPath).toBe(`pipeline ${field}`);
    },
  );

  it('a feature-branch build that declares a release tag gets no artifact-delivery allow', async () => {
    const { decision } = await fx.ask({
      action: 'artifact-delivery',
      environment: 'staging',
      mint: { branchName: 'feature/x' },
      declare: { tag: 'v9.9.9' },
    });
    expect(decision?.verdict).toBe('deny');
    // The real tag run is allowed: the tag is Bitbucket's, so context.pipeline.tag holds it.
    const tagged = await fx.ask({ action: 'artifact-delivery', environment: 'staging', tag: 'v1.2.0' });
    expect(tagged.decision).toMatchObject({ verdict: 'allow', policy: { ids: ['artifacts-from-tags'] } });
  });

  it("a token whose branchName disagrees with Bitbucket's run is refused", async () => {
    const run = site.pipeline(repository(), { branch: 'main', commit: 'a'.repeat(40) });
    const { decision } = await fx.ask({
      environment: 'staging',
      mint: { pipelineUuid: run, branchName: 'feature/x' },
    });
    expect(decision?.verdict).toBe('deny');
    expect(decision?.failedPath).toBe('pipeline ref (step token vs Bitbucket)');
  });
});

describe("Bitbucket's API down, slow or refusing the service: deny, naming it (fail closed)", () => {
  async function withFacts(
    facts: Parameters<typeof serviceFixture>[0],
    ask: (other: ServiceFixture) => Promise<void>,
  ): Promise<void> {
    const other = await serviceFixture({ now: WEEKDAY, issuer: fx.issuer, ...facts });
    const service = await other.start();
    try {
      await ask(other);
    } finally {
      await service.stop();
      await other.close();
    }
  }

  it('5xx after retries, a hang past the look-up timeout, and a revoked credential', async () => {
    await withFacts({ facts: await siteFacts({ cacheMs: 0, timeoutMs: 1_500 }) }, async (other) => {
      site.peer.fail('environments', 503);
      try {
        const down = await other.ask({ environment: 'staging' });
        expect(down.decision?.verdict).toBe('deny');
        expect(down.decision?.reasons[0]).toContain("Bitbucket's API answered HTTP 503");
        expect(down.decision?.failedPath).toBe("Bitbucket's REST API (BITBUCKET_UNAVAILABLE)");
        site.peer.fail('environments', 'hang');
        const slow = await other.ask({ environment: 'staging' });
        expect(slow.decision?.reasons[0]).toContain("Bitbucket's API did not answer within 1500 ms");
      } finally {
        site.peer.fail('environments', null);
      }
      expect((await other.ask({ environment: 'staging' })).decision?.verdict).toBe('allow');
    });
    await withFacts({ facts: await siteFacts({ token: 'revoked', cacheMs: 0 }) }, async (other) => {
      const refused = await other.ask({ environment: 'staging' });
      expect(refused.decision?.verdict).toBe('deny');
      expect(refused.decision?.failedPath).toBe("Bitbucket's REST API (BITBUCKET_AUTH)");
      expect(refused.decision?.reasons[0]).not.toContain('revoked');
    });
  }, 60_000);
});
