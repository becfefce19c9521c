import { describe, expect, it } from 'vitest';
import { environmentMapFacts, parseEnvironmentMap } from '../../src/bitbucket/environment-map.ts';
import { parseEnvironment } from '../../src/bitbucket/parse-environment.ts';
import { parsePipeline } from '../../src/bitbucket/parse-pipeline.ts';
import { environmentBody, pipelineBody } from '../peers/bitbucket/shapes.ts';

const ENV = '{c0ffee00-1234-4567-89ab-cdef01234567}';
const OTHER = '{5ca1ab1e-1234-4567-89ab-cdef01234567}';
const PIPE = '{0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f}';
const REPO = { workspaceUuid: '{w}', repositoryUuid: '{r}' };
const pipeline = {
  uuid: PIPE,
  buildNumber: 7,
  refType: 'branch' as const,
  refName: 'main',
  commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  trigger: 'push' as const,
  creator: { uuid: '{u}', accountId: 'a', displayName: 'D' },
};

const refusal = (f: () => unknown): string => {
  try {
    f();
    return 'accepted';
  } catch (error) {
    return error instanceof Error ? error.message : 'thrown';
  }
};

describe('Bitbucket answers are checked field by field', () => {
  it('an answer for another environment or pipeline than the one asked for is refused', () => {
    expect(
      refusal(() => parseEnvironment(environmentBody({ uuid: OTHER, name: 'x', type: 'Test' }, '{r}'), ENV)),
    ).toContain(`answered for ${OTHER}`);
    expect(refusal(() => parsePipeline(pipelineBody({ ...pipeline, uuid: OTHER }, '{r}'), PIPE))).toContain(
      `answered for ${OTHER}`,
    );
  });

  it('unknown environment types, short commit hashes, missing creators and odd targets are refused', () => {
    const body = environmentBody({ uuid: ENV, name: 'prod', type: 'Production' }, '{r}') as Record<
      string,
      unknown
    >;
    expect(refusal(() => parseEnvironment({ ...body, environment_type: { name: 'Prod' } }, ENV))).toContain(
      'unknown environment type Prod',
    );
    const p = pipelineBody(pipeline, '{r}');
    expect(
      refusal(() =>
        parsePipeline(
          {
            ...p,
            target: {
              type: 'pipeline_ref_target',
              ref_type: 'branch',
              ref_name: 'main',
              commit: { hash: 'abc123' },
            },
          },
          PIPE,
        ),
      ),
    ).toContain('no full commit hash');
    expect(refusal(() => parsePipeline({ ...p, creator: null }, PIPE))).toContain('no creator');
    expect(
      refusal(() =>
        parsePipeline(
          { ...p, target: { type: 'pipeline_pullrequest_target', commit: { hash: pipeline.commit } } },
          PIPE,
        ),
      ),
    ).toContain('unsupported target');
    expect(refusal(() => parsePipeline({ ...p, type: 'error' }, PIPE))).toContain('not a pipeline');
  });

  it("the operator's environment map: named problems, exact look-ups, and no pipeline facts", async () => {
    expect(refusal(() => parseEnvironmentMap('{', 'envs.json'))).toBe('envs.json: not JSON');
    expect(refusal(() => parseEnvironmentMap('{"prod": {}}', 'envs.json'))).toBe(
      'envs.json: prod is not a {uuid}',
    );
    expect(
      refusal(() => parseEnvironmentMap(`{"${ENV}": {"name": "p", "type": "Live"}}`, 'envs.json')),
    ).toContain('needs a name and a type');
    const facts = environmentMapFacts(
      parseEnvironmentMap(`{"${ENV.toUpperCase()}": {"name": "production", "type": "Production"}}`, 'm'),
    );
    expect(await facts.environment(REPO, ENV)).toMatchObject({
      name: 'production',
      type: 'Production',
      source: 'environment-map',
    });
    await expect(facts.environment(REPO, OTHER)).rejects.toMatchObject({ code: 'BITBUCKET_NOT_FOUND' });
    // An environment map vouches for environments only: refs and commits stay unverified.
    expect(facts.pipeline).toBeUndefined();
  });
});
