import { describe, expect, it } from 'vitest';
import { topicMap } from '../../src/webhooks/topic-map.ts';

describe('the webhook topic map', () => {
  it('defaults to one topic per event family in the namespace', () => {
    const map = topicMap([], 'platform/bitbucket');
    expect(map.topicFor('repo:push')).toBe('persistent://platform/bitbucket/bitbucket-repo');
    expect(map.topicFor('repo:commit_status_updated')).toBe('persistent://platform/bitbucket/bitbucket-repo');
    expect(map.topicFor('pullrequest:fulfilled')).toBe(
      'persistent://platform/bitbucket/bitbucket-pullrequest',
    );
    expect(map.named).toEqual([]);
  });

  it('an exact rule wins over a family rule, which wins over the default', () => {
    const map = topicMap(
      [
        'pullrequest:*=reviews',
        'pullrequest:approved=persistent://platform/hot/approvals',
        'repo:push=other/ns/pushes',
      ],
      'platform/bitbucket',
    );
    expect(map.topicFor('pullrequest:approved')).toBe('persistent://platform/hot/approvals');
    expect(map.topicFor('pullrequest:created')).toBe('persistent://platform/bitbucket/reviews');
    expect(map.topicFor('repo:push')).toBe('persistent://other/ns/pushes');
    expect(map.topicFor('repo:fork')).toBe('persistent://platform/bitbucket/bitbucket-repo');
  });

  it('refuses rules it cannot apply, and non-persistent topics (nothing would be stored)', () => {
    for (const rule of [
      'repo:push',
      'repo:push=',
      'push=x',
      '*=x',
      'repo:push=non-persistent://a/b/c',
      'repo:push=a/b',
    ])
      expect(() => topicMap([rule], 'public/default'), rule).toThrow(/WEBHOOK_TOPICS|invalid topic/);
    expect(() => topicMap([], 'public')).toThrow();
  });

  it('refuses event keys that are not Bitbucket-shaped', () => {
    const map = topicMap([], 'public/default');
    for (const key of ['push', 'repo:', 'Repo:push', 'repo:push/x', '../x:y'])
      expect(() => map.topicFor(key), key).toThrow();
  });
});
