import { describe, expect, it } from 'vitest';
import { StsError } from './errors.ts';
import { sessionTagsOf, TAGS_CLAIM } from './session-tags.ts';

const REPO = '6f1c0d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';
const principalTags = { repository: [REPO], environment: ['production'], action: ['deploy'] };
const claim = (tags: unknown, transitive: unknown = ['repository', 'environment', 'action']) => ({
  sub: 'x',
  [TAGS_CLAIM]: { principal_tags: tags, transitive_tag_keys: transitive },
});

function rejected(claims: Record<string, unknown>): StsError {
  try {
    sessionTagsOf(claims);
  } catch (error) {
    if (error instanceof StsError) return error;
    throw error;
  }
  throw new Error('expected the tags claim to be refused');
}

describe('session tags from the token (IAM "Passing session tags using AssumeRoleWithWebIdentity")', () => {
  it('reads principal_tags and transitive_tag_keys; no claim, no tags', () => {
    expect(sessionTagsOf(claim(principalTags))).toEqual({
      tags: { repository: REPO, environment: 'production', action: 'deploy' },
      transitiveTagKeys: ['repository', 'environment', 'action'],
    });
    expect(sessionTagsOf({ sub: 'x' })).toBeUndefined();
    expect(sessionTagsOf(claim({}, []))).toBeUndefined();
  });

  it('refuses a malformed claim as InvalidIdentityToken, saying why', () => {
    const long = (n: number) => 'k'.repeat(n);
    const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, ['v']]));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ [TAGS_CLAIM]: 'environment=production' }, /not an object/],
      [claim([['environment', 'production']]), /principal_tags is not an object/],
      [claim({ environment: 'production' }), /exactly one string/],
      [claim({ environment: ['production', 'staging'] }), /exactly one string/],
      [claim({ environment: [] }), /exactly one string/],
      [claim({ environment: [42] }), /exactly one string/],
      [claim(fiftyOne, []), /51 session tags/],
      [claim({ [long(129)]: ['v'] }, []), /129 characters/],
      [claim({ '': ['v'] }, []), /0 characters/],
      [claim({ environment: [long(257)] }, []), /257 characters/],
      // Bitbucket's brace-wrapped UUIDs are not allowed characters: the gate token drops them.
      [claim({ repository: [`{${REPO}}`] }, []), /characters AWS does not allow/],
      [claim({ 'env;rm': ['v'] }, []), /characters AWS does not allow/],
      [claim({ 'aws:PrincipalTag': ['v'] }, []), /reserved aws: prefix/],
      [claim({ Environment: ['production'], environment: ['staging'] }, []), /given twice/],
      [claim(principalTags, ['admin']), /transitive tag key admin is not a session tag/],
      [claim(principalTags, 'repository'), /transitive_tag_keys is not an array/],
    ];
    for (const [claims, reason] of cases) {
      const error = rejected(claims);
      expect(error.code).toBe('InvalidIdentityToken');
      expect(error.status).toBe(400);
      expect(error.reason).toMatch(reason);
    }
  });

  it('accepts the limits themselves and every character class AWS lists', () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, ['v']]));
    expect(Object.keys(sessionTagsOf(claim(fifty, []))?.tags ?? {})).toHaveLength(50);
    const edge = { ['k'.repeat(128)]: ['v'.repeat(256)], 'ünïcode 1_.:/=+-@': ['Zürich 2 _.:/=+-@'] };
    expect(sessionTagsOf(claim(edge, []))?.tags).toEqual({
      ['k'.repeat(128)]: 'v'.repeat(256),
      'ünïcode 1_.:/=+-@': 'Zürich 2 _.:/=+-@',
    });
    expect(sessionTagsOf(claim({ empty: [''] }, []))?.tags).toEqual({ empty: '' });
  });
});
