import { describe, expect, it } from 'vitest';
import type { BitbucketFacts, VerifiedPipeline } from '../../src/bitbucket/facts.ts';
import { resolveStepFacts } from '../../src/bitbucket/step-facts.ts';
import { GateError } from '../../src/errors.ts';

const ENV = '{c0ffee00-1234-4567-89ab-cdef01234567}';
const PIPE = '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f}';
const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const token = {
  workspaceUuid: '{w}',
  repositoryUuid: '{r}',
  pipelineUuid: PIPE,
  deploymentEnvironmentUuid: ENV,
  branchName: 'main',
};
const run = (ref: VerifiedPipeline['ref']): VerifiedPipeline => ({
  uuid: PIPE,
  buildNumber: 7,
  ref,
  commit: COMMIT,
  trigger: 'push',
  triggeredBy: { uuid: '{u}' },
});

/** A small fake behind the port; the HTTP path is proven in api-facts.test.ts and the service tests. */
function facts(pipeline: VerifiedPipeline | 'none' = run({ type: 'branch', name: 'main' })): BitbucketFacts {
  return {
    environment: async (_r, uuid) => {
      if (uuid !== ENV) throw new GateError('BITBUCKET_NOT_FOUND', 'no such environment');
      return { uuid, name: 'Production', slug: 'production', type: 'Production', source: 'bitbucket-api' };
    },
    ...(pipeline === 'none' ? {} : { pipeline: async () => pipeline }),
  };
}

/** The token's claims with some replaced; an `undefined` value leaves that claim out. */
function claims(over: Partial<Record<keyof typeof token, string | undefined>>) {
  const merged: Record<string, string | undefined> = { ...token, ...over };
  return {
    workspaceUuid: token.workspaceUuid,
    repositoryUuid: token.repositoryUuid,
    ...Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined)),
  };
}

const resolve = (
  declared: Parameters<typeof resolveStepFacts>[1],
  over: Partial<Record<keyof typeof token, string | undefined>> = {},
  source = facts(),
  open: string[] = [],
) => resolveStepFacts(claims(over), declared, { facts: source, openEnvironments: open });

describe('resolveStepFacts: what a policy may gate on, established at the source', () => {
  it("an environment is asked for by Bitbucket's name or slug, in any case", async () => {
    for (const asked of ['production', 'Production', 'PRODUCTION'])
      expect((await resolve({ environment: asked })).ok).toBe(true);
    const other = await resolve({ environment: 'prod' });
    expect(other).toMatchObject({
      ok: false,
      check: 'environment-mismatch',
      known: { environment: { slug: 'production' } },
    });
  });

  it('without a deployment environment only an open one, named as the operator wrote it', async () => {
    const none = { deploymentEnvironmentUuid: undefined };
    expect(await resolve({ environment: 'sandbox' }, none)).toMatchObject({
      ok: false,
      check: 'environment-not-open',
    });
    const open = await resolve({ environment: 'SANDBOX' }, none, facts(), ['sandbox']);
    expect(open).toMatchObject({ ok: true, facts: { environment: { name: 'sandbox', type: 'Open' } } });
  });

  it('an environment map (no pipeline look-up) leaves refs unverified rather than guessed', async () => {
    const result = await resolve({ environment: 'production', branch: 'anything' }, {}, facts('none'));
    expect(result).toEqual({
      ok: true,
      facts: { environment: expect.objectContaining({ slug: 'production' }) },
    });
  });

  it('a tag run: the token has no branchName, and only that tag may be declared; commits compare in any case', async () => {
    const tagRun = facts(run({ type: 'tag', name: 'v1.2.0' }));
    const ok = await resolve(
      { environment: 'production', tag: 'v1.2.0', commit: COMMIT.toUpperCase() },
      { branchName: undefined },
      tagRun,
    );
    expect(ok.ok).toBe(true);
    expect(await resolve({ environment: 'production' }, {}, tagRun)).toMatchObject({
      ok: false,
      failedPath: 'pipeline ref (step token vs Bitbucket)',
    });
    expect(
      await resolve({ environment: 'production', branch: 'main' }, { branchName: undefined }, tagRun),
    ).toMatchObject({
      ok: false,
      failedPath: 'pipeline branch',
    });
  });

  it('a failed look-up is a refusal naming the code, and a token without a pipeline is refused', async () => {
    const missing = await resolve({ environment: 'production' }, { deploymentEnvironmentUuid: '{other}' });
    expect(missing).toMatchObject({
      ok: false,
      check: 'lookup-failed',
      failedPath: "Bitbucket's REST API (BITBUCKET_NOT_FOUND)",
    });
    expect(await resolve({ environment: 'production' }, { pipelineUuid: undefined })).toMatchObject({
      ok: false,
      check: 'pipeline-unknown',
    });
  });
});
