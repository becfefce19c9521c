// Issue 19 §2: code review looked up at the Bitbucket API peer over HTTP, as the service does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitbucketApiFacts } from '../../src/bitbucket/api-facts.ts';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { bitbucketReviewFacts } from '../../src/bitbucket/review-facts.ts';
import { resolveStepFacts } from '../../src/bitbucket/step-facts.ts';
import { isGateError } from '../../src/errors.ts';
import { type BitbucketPeer, type PeerPullRequest, startBitbucket } from '../peers/bitbucket/server.ts';
import { ALICE, BOB } from '../webhooks/fixtures.ts';

const REPO = {
  workspaceUuid: '{3d5e7f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f}',
  repositoryUuid: '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}',
};
const CAROL = {
  uuid: '{99cc00dd-bbee-4fff-8000-112233445566}',
  accountId: '712020:c',
  displayName: 'Carol Checker',
};
const commit = (n: number) => n.toString(16).padStart(40, 'c');

let peer: BitbucketPeer;
let now = 0;
const clock = { now: () => now };
const get = () =>
  bitbucketHttp({
    baseUrl: peer.url,
    accessToken: async () => peer.token,
    timeoutMs: 2_000,
    sleep: async () => undefined,
  });
const reviews = () => bitbucketReviewFacts({ get: get(), ttlMs: 60_000, clock });

function pr(id: number, over: Partial<PeerPullRequest>): PeerPullRequest {
  return {
    id,
    title: `PR ${id}`,
    author: ALICE,
    source: `feature/${id}`,
    destination: 'main',
    state: 'MERGED',
    participants: [],
    commits: [],
    ...over,
  };
}

beforeAll(async () => {
  peer = await startBitbucket();
});
afterAll(async () => {
  await peer.close();
});

describe('code review as a verified fact', () => {
  it('counts distinct approvers other than the author of the pull request that merged the commit into the branch', async () => {
    peer.addPullRequest(
      REPO,
      pr(1, {
        commits: [commit(1)],
        mergeCommit: commit(1).slice(0, 12),
        participants: [
          { user: ALICE, role: 'PARTICIPANT', approved: true }, // the author's own approval
          { user: BOB, role: 'REVIEWER', approved: true },
          { user: CAROL, role: 'REVIEWER', approved: true },
        ],
      }),
    );
    const review = await reviews().review(REPO, commit(1), 'main');
    expect(review).toEqual({
      mergedViaPullRequest: true,
      approvals: 2,
      approvers: [BOB.uuid, CAROL.uuid].map((u) => u.toLowerCase()).sort(),
      author: ALICE.uuid.toLowerCase(),
      pullRequest: 1,
    });
  });

  it('a reviewer who did not approve, an open or declined pull request, or one merged into another branch is no review', async () => {
    peer.addPullRequest(
      REPO,
      pr(2, { commits: [commit(2)], participants: [{ user: BOB, role: 'REVIEWER', approved: false }] }),
    );
    expect(await reviews().review(REPO, commit(2), 'main')).toMatchObject({
      mergedViaPullRequest: true,
      approvals: 0,
    });
    peer.addPullRequest(
      REPO,
      pr(3, {
        commits: [commit(3)],
        state: 'OPEN',
        participants: [{ user: BOB, role: 'REVIEWER', approved: true }],
      }),
    );
    peer.addPullRequest(
      REPO,
      pr(4, {
        commits: [commit(3)],
        state: 'DECLINED',
        participants: [{ user: CAROL, role: 'REVIEWER', approved: true }],
      }),
    );
    expect(await reviews().review(REPO, commit(3), 'main')).toEqual({
      mergedViaPullRequest: false,
      approvals: 0,
      approvers: [],
    });
    // Approved and merged into develop, then pushed straight to main: not reviewed for main.
    peer.addPullRequest(
      REPO,
      pr(5, {
        commits: [commit(5)],
        destination: 'develop',
        participants: [
          { user: BOB, role: 'REVIEWER', approved: true },
          { user: CAROL, role: 'REVIEWER', approved: true },
        ],
      }),
    );
    expect((await reviews().review(REPO, commit(5), 'main')).mergedViaPullRequest).toBe(false);
    expect((await reviews().review(REPO, commit(5), 'develop')).approvals).toBe(2);
    // A commit no pull request contains.
    expect((await reviews().review(REPO, commit(6), 'main')).mergedViaPullRequest).toBe(false);
  });

  it('reads every page of pull requests that contain the commit', async () => {
    for (let id = 100; id < 160; id++)
      peer.addPullRequest(REPO, pr(id, { commits: [commit(7)], state: 'DECLINED' }));
    peer.addPullRequest(
      REPO,
      pr(160, { commits: [commit(7)], participants: [{ user: BOB, role: 'REVIEWER', approved: true }] }),
    );
    const review = await reviews().review(REPO, commit(7), 'main');
    expect(review).toMatchObject({ mergedViaPullRequest: true, approvals: 1, pullRequest: 160 });
    expect(peer.requests.filter((r) => r.includes(`/commit/${commit(7)}/pullrequests`))).toHaveLength(2);
  });

  it('caches a review, and forgets a repository’s reviews when told (a webhook event)', async () => {
    const facts = reviews();
    peer.addPullRequest(
      REPO,
      pr(8, { commits: [commit(8)], participants: [{ user: BOB, role: 'REVIEWER', approved: true }] }),
    );
    expect((await facts.review(REPO, commit(8), 'main')).approvals).toBe(1);
    peer.addPullRequest(
      REPO,
      pr(8, {
        commits: [commit(8)],
        participants: [
          { user: BOB, role: 'REVIEWER', approved: true },
          { user: CAROL, role: 'REVIEWER', approved: true },
        ],
      }),
    );
    expect((await facts.review(REPO, commit(8), 'main')).approvals).toBe(1);
    facts.forget(REPO.repositoryUuid.toUpperCase());
    expect((await facts.review(REPO, commit(8), 'main')).approvals).toBe(2);
    now += 60_000;
  });

  it('API down or refusing: a coded error, and the step is denied naming the API (fail closed)', async () => {
    peer.fail('pullrequests', 503);
    try {
      const error = await reviews()
        .review(REPO, commit(1), 'main')
        .catch((e: unknown) => e);
      expect(isGateError(error, 'BITBUCKET_UNAVAILABLE')).toBe(true);
      const api = bitbucketApiFacts({ get: get(), ttlMs: 60_000, clock });
      const PIPELINE = '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f}';
      const ENV = '{c0ffee00-1234-4567-89ab-cdef01234567}';
      peer.addEnvironment(REPO, { uuid: ENV, name: 'Production', type: 'Production' });
      peer.addPipeline(REPO, {
        uuid: PIPELINE,
        buildNumber: 1,
        refType: 'branch',
        refName: 'main',
        commit: commit(1),
        trigger: 'push',
        creator: { uuid: BOB.uuid, accountId: BOB.accountId, displayName: BOB.displayName },
      });
      const result = await resolveStepFacts(
        { ...REPO, pipelineUuid: PIPELINE, deploymentEnvironmentUuid: ENV, branchName: 'main' },
        { environment: 'production' },
        { facts: { ...api, review: reviews().review }, openEnvironments: [] },
      );
      expect(result).toMatchObject({
        ok: false,
        check: 'lookup-failed',
        failedPath: "Bitbucket's REST API (BITBUCKET_UNAVAILABLE)",
      });
      expect(result.ok ? '' : result.reason).toContain(
        `could not look up the pull requests of commit ${commit(1)}`,
      );
      peer.fail('pullrequests', 401);
      const refused = await reviews()
        .review(REPO, commit(1), 'main')
        .catch((e: unknown) => e);
      expect(isGateError(refused, 'BITBUCKET_AUTH')).toBe(true);
    } finally {
      peer.fail('pullrequests', null);
    }
  });
});
