import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitbucketApiFacts } from '../../src/bitbucket/api-facts.ts';
import type { BitbucketFacts } from '../../src/bitbucket/facts.ts';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { isGateError } from '../../src/errors.ts';
import { type BitbucketPeer, startBitbucket } from '../peers/bitbucket/server.ts';

const REPO = {
  workspaceUuid: '{3d5e7f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f}',
  repositoryUuid: '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}',
};
const PRODUCTION = '{c0ffee00-1234-4567-89ab-cdef01234567}';
const STAGING = '{5ca1ab1e-1234-4567-89ab-cdef01234567}';
const PIPELINE = '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f}';
const TAGGED = '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e90}';
const BARE = '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e91}';
const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const CREATOR = {
  uuid: '{77aa88bb-99cc-4ddd-8eee-ff0011223344}',
  accountId: '5b10a2844c20165700ede21g',
  displayName: 'Ada Admin',
};

let peer: BitbucketPeer;
let now = 0;
const clock = { now: () => now };

function facts(
  options: { token?: string; timeoutMs?: number } = {},
): Required<Omit<BitbucketFacts, 'review'>> {
  const get = bitbucketHttp({
    baseUrl: peer.url,
    accessToken: async () => options.token ?? peer.token,
    timeoutMs: options.timeoutMs ?? 2_000,
    sleep: async () => undefined,
  });
  return bitbucketApiFacts({ get, ttlMs: 60_000, clock });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isGateError(error) ? `${error.code}: ${error.message}` : `not a GateError: ${String(error)}`;
}

beforeAll(async () => {
  peer = await startBitbucket();
  peer.addRepository({
    workspace: 'acme',
    workspaceUuid: REPO.workspaceUuid,
    slug: 'payments-api',
    uuid: REPO.repositoryUuid,
    environments: [
      { uuid: PRODUCTION, name: 'production', type: 'Production' },
      { uuid: STAGING, name: 'staging', type: 'Staging' },
    ],
    pipelines: [
      {
        uuid: PIPELINE,
        buildNumber: 1742,
        refType: 'branch',
        refName: 'main',
        commit: COMMIT,
        trigger: 'push',
        creator: CREATOR,
      },
      {
        uuid: TAGGED,
        buildNumber: 1743,
        refType: 'tag',
        refName: 'v1.2.0',
        commit: COMMIT,
        trigger: 'manual',
        creator: CREATOR,
      },
      {
        uuid: BARE,
        buildNumber: 1744,
        refType: 'commit',
        commit: COMMIT,
        trigger: 'manual',
        creator: CREATOR,
      },
    ],
  });
});
afterAll(() => peer.close());

describe("facts from Bitbucket's REST API (over HTTP, the peer's real shapes)", () => {
  it('an environment by the UUIDs the token names: its name and type, looked up once while fresh', async () => {
    const api = facts();
    const before = peer.requests.length;
    expect(await api.environment(REPO, PRODUCTION)).toEqual({
      uuid: PRODUCTION,
      name: 'production',
      slug: 'production',
      type: 'Production',
      source: 'bitbucket-api',
    });
    expect((await api.environment(REPO, STAGING)).type).toBe('Staging');
    await api.environment(REPO, PRODUCTION);
    expect(peer.requests.slice(before)).toEqual([
      `GET /2.0/repositories/${REPO.workspaceUuid}/${REPO.repositoryUuid}/environments/${PRODUCTION}`,
      `GET /2.0/repositories/${REPO.workspaceUuid}/${REPO.repositoryUuid}/environments/${STAGING}`,
    ]);
    now += 60_001;
    await api.environment(REPO, PRODUCTION);
    expect(peer.requests.length - before).toBe(3);
  });

  it("a pipeline's ref, commit, trigger and creator: branch, tag and bare-commit runs", async () => {
    const api = facts();
    expect(await api.pipeline(REPO, PIPELINE)).toEqual({
      uuid: PIPELINE,
      buildNumber: 1742,
      ref: { type: 'branch', name: 'main' },
      commit: COMMIT,
      trigger: 'push',
      triggeredBy: CREATOR,
    });
    expect((await api.pipeline(REPO, TAGGED)).ref).toEqual({ type: 'tag', name: 'v1.2.0' });
    expect((await api.pipeline(REPO, BARE)).ref).toEqual({ type: 'commit' });
  });

  it('an unknown UUID is BITBUCKET_NOT_FOUND, never a guess', async () => {
    expect(await failure(facts().environment(REPO, '{00000000-0000-4000-8000-000000000000}'))).toMatch(
      /^BITBUCKET_NOT_FOUND: /,
    );
    expect(await failure(facts().environment({ ...REPO, repositoryUuid: STAGING }, PRODUCTION))).toMatch(
      /^BITBUCKET_NOT_FOUND: /,
    );
  });

  it('a refused credential is BITBUCKET_AUTH, asked once (not an outage to retry)', async () => {
    const before = peer.requests.length;
    expect(await failure(facts({ token: 'revoked' }).environment(REPO, PRODUCTION))).toMatch(
      /^BITBUCKET_AUTH: .*HTTP 401/,
    );
    expect(peer.requests.length - before).toBe(1);
  });

  it('5xx and 429 are retried, then BITBUCKET_UNAVAILABLE naming the status; nothing failed is cached', async () => {
    const api = facts();
    for (const status of [503, 429]) {
      peer.fail('environments', status);
      const before = peer.requests.length;
      expect(await failure(api.environment(REPO, STAGING))).toBe(
        `BITBUCKET_UNAVAILABLE: Bitbucket's API answered HTTP ${status}`,
      );
      expect(peer.requests.length - before).toBe(4);
    }
    peer.fail('environments', null);
    expect((await api.environment(REPO, STAGING)).name).toBe('staging');
  });

  it('an API that never answers is BITBUCKET_UNAVAILABLE within the look-up timeout', async () => {
    peer.fail('pipelines', 'hang');
    const started = Date.now();
    expect(await failure(facts({ timeoutMs: 300 }).pipeline(REPO, PIPELINE))).toBe(
      "BITBUCKET_UNAVAILABLE: Bitbucket's API did not answer within 300 ms",
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    peer.fail('pipelines', null);
  });
});
