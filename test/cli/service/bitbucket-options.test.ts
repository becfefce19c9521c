import { describe, expect, it } from 'vitest';
import { readServe, SERVE_REQUIRED, serveProblems } from './serve-env.ts';

const read = (env: Record<string, string>) => readServe({ ...SERVE_REQUIRED, ...env });

const problems = (env: Record<string, string>): string => serveProblems({ ...SERVE_REQUIRED, ...env });

describe("serve: where environments and pipelines are looked up (Bitbucket's API or a map)", () => {
  it('needs exactly one source, and says why a request alone is not enough', () => {
    expect(problems({})).toContain(
      'BITBUCKET_TOKEN_FILE: is required (or ENVIRONMENT_MAP): the service names environments and pipelines from Bitbucket, never from the request',
    );
    expect(problems({ BITBUCKET_TOKEN: 't0k3n-value', ENVIRONMENT_MAP: 'envs.json' })).toContain(
      'ENVIRONMENT_MAP: cannot be used with BITBUCKET_TOKEN; choose one',
    );
    expect(problems({ BITBUCKET_TOKEN: 't0k3n-value', ENVIRONMENT_MAP: 'envs.json' })).not.toContain(
      't0k3n-value',
    );
  });

  it("the API by default at Bitbucket's own URL, cached 300 s, 5 s per look-up; OPEN_ENVIRONMENTS none", () => {
    const config = read({ BITBUCKET_TOKEN: 'secret-token' });
    expect(config.bitbucket).toEqual({
      kind: 'api',
      url: 'https://api.bitbucket.org/2.0',
      token: 'secret-token',
      cacheSeconds: 300,
      timeoutSeconds: 5,
      review: false,
    });
    expect(config.openEnvironments).toEqual([]);
  });

  it('an environment map instead, and environments opened to steps without one', () => {
    const config = read({ ENVIRONMENT_MAP: 'envs.json', OPEN_ENVIRONMENTS: 'sandbox, preview' });
    expect(config.bitbucket).toEqual({ kind: 'map', file: 'envs.json' });
    expect(config.openEnvironments).toEqual(['sandbox', 'preview']);
  });

  it('bad values are named: a non-URL API root, a cache or timeout out of range', () => {
    const text = problems({
      BITBUCKET_TOKEN: 't',
      BITBUCKET_API_URL: 'ftp://x',
      BITBUCKET_CACHE: '-1',
      BITBUCKET_TIMEOUT: '600',
    });
    expect(text).toContain('BITBUCKET_API_URL:');
    expect(text).toContain('BITBUCKET_CACHE:');
    expect(text).toContain('BITBUCKET_TIMEOUT:');
  });

  it('code review (BITBUCKET_REVIEW) needs the API, and REVIEW_EVENTS_TOPIC needs review on', () => {
    const config = read({
      BITBUCKET_TOKEN: 't',
      BITBUCKET_REVIEW: 'true',
      REVIEW_EVENTS_TOPIC: 'platform/bitbucket/bitbucket-pullrequest',
    });
    expect(config.bitbucket).toMatchObject({
      kind: 'api',
      review: true,
      reviewEventsTopic: 'platform/bitbucket/bitbucket-pullrequest',
    });
    expect(problems({ ENVIRONMENT_MAP: 'envs.json', BITBUCKET_REVIEW: 'true' })).toContain(
      "BITBUCKET_REVIEW: needs Bitbucket's API (BITBUCKET_TOKEN), not ENVIRONMENT_MAP",
    );
    expect(problems({ BITBUCKET_TOKEN: 't', REVIEW_EVENTS_TOPIC: 'x' })).toContain(
      'REVIEW_EVENTS_TOPIC: only means something with BITBUCKET_REVIEW=true',
    );
  });
});
