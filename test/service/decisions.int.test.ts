import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import type { RunningService } from '../../src/service/service-options.ts';
import { startIssuer } from '../peers/oidc/issuer.ts';
import { POLICY_DIR, type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { transportsHere } from '../support/transports.ts';

describe.each(transportsHere('the decision service end to end'))('over %s', (via) => {
  const PAYMENTS_REPO = '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}';
  let fx: ServiceFixture;
  let service: RunningService;
  beforeAll(async () => {
    fx = await serviceFixture({ now: WEEKDAY, via });
    service = await fx.start();
  });
  afterAll(async () => {
    await service?.stop();
    await fx?.close();
  });

  describe('pulsar-gate-service serve decides with the Cedar policies (real broker, issuer, signer)', () => {
    it('main may deploy to production', async () => {
      const { decision } = await fx.ask({ mint: { branchName: 'main' } });
      expect(decision?.verdict).toBe('allow');
      expect(decision?.policy.ids).toEqual(['prod-deploy']);
    });

    it('a feature branch may not, and the reason names the rule and the attribute', async () => {
      const { decision } = await fx.ask({ mint: { branchName: 'feature/x' } });
      expect(decision?.verdict).toBe('deny');
      expect(decision?.reasons.join(' ')).toMatch(/prod-deploy/);
      expect(decision?.reasons.join(' ')).toMatch(/branch/);
    });

    it('any branch may deploy to staging; artifacts only from tags', async () => {
      expect(
        (
          await fx.ask({
            environment: 'staging',
            mint: { branchName: 'feature/y' },
          })
        ).decision?.verdict,
      ).toBe('allow');
      expect(
        (await fx.ask({ action: 'artifact-delivery', environment: 'releases', tag: 'v1.2.3' })).decision
          ?.verdict,
      ).toBe('allow');
      expect((await fx.ask({ action: 'artifact-delivery', environment: 'releases' })).decision?.verdict).toBe(
        'deny',
      );
    });

    it('the group template lets a group member deploy to its environment, nobody else', async () => {
      const member = await fx.ask({
        environment: 'payments-sandbox',
        mint: { repositoryUuid: PAYMENTS_REPO },
      });
      expect(member.decision?.verdict).toBe('allow');
      expect(member.decision?.policy.ids[0]).toMatch(/^team-can-deploy-to@payments-team/);
      const stranger = await fx.ask({
        environment: 'payments-sandbox',
      });
      expect(stranger.decision?.verdict).toBe('deny');
    });

    it('a group change takes effect after a reload', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'policies-'));
      await cp(POLICY_DIR, dir, { recursive: true });
      const repo = fx.issuer.repositoryUuid;
      const groups = {
        groups: {
          'payments-team': {
            repositories: [repo],
            workspaces: [],
            templates: [{ template: 'team-can-deploy-to', environment: 'payments-sandbox' }],
          },
        },
      };
      await writeFile(join(dir, 'groups.json'), JSON.stringify(groups));
      const before = await fx.ask({
        environment: 'payments-sandbox',
      });
      expect(before.decision?.verdict).toBe('deny');
      fx.setPolicy(await loadPolicySet(dir));
      const after = await fx.ask({
        environment: 'payments-sandbox',
      });
      expect(after.decision?.verdict).toBe('allow');
      fx.setPolicy(await loadPolicySet(POLICY_DIR));
    });

    it('production provisioning needs an approval: pending, naming the approvers', async () => {
      const { decision } = await fx.ask({ action: 'provision', mint: { branchName: 'main' } });
      expect(decision?.verdict).toBe('pending');
      expect(decision?.approvers).toEqual(['release-managers']);
    });
  });

  describe('P3: the step token is verified, never trusted', () => {
    it.each([
      ['expired', { expiresInSeconds: -120 }, /expired/],
      ['audience', { aud: 'ari:cloud:bitbucket::workspace/someone-else' }, /audience/],
      ['signature', { signWith: 'unknown-key-same-kid' as const }, /signature/],
      ['unknown key', { signWith: 'unknown-key' as const }, /unknown-key/],
    ])('%s → a signed deny naming the token check', async (_name, mint, reason) => {
      const { decision } = await fx.ask({ mint });
      expect(decision?.verdict).toBe('deny');
      expect(decision?.failedPath).toMatch(/^step OIDC token/);
      expect(decision?.failedPath).toMatch(reason);
    });

    it('a token from an issuer that is not configured → deny (issuer), its keys never fetched', async () => {
      const other = await startIssuer();
      try {
        const { decision } = await fx.ask({ token: await other.mint() });
        expect(decision?.verdict).toBe('deny');
        expect(decision?.failedPath).toMatch(/issuer/);
        expect(other.requests.size).toBe(0);
      } finally {
        await other.close();
      }
    });

    it('a request that names another repository than its token → deny', async () => {
      const claimed = await fx.issuer.mint({
        branchName: 'main',
        repositoryUuid: '{00000000-0000-4000-8000-000000000000}',
      });
      const { decision } = await fx.ask({
        token: await fx.issuer.mint({ branchName: 'main' }),
        pipelineFrom: claimed,
      });
      expect(decision?.verdict).toBe('deny');
      expect(decision?.failedPath).toBe('request identity');
    });
  });
});
