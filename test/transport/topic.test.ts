import { describe, expect, it } from 'vitest';
import { parseTopic } from '../../src/transport/topic.ts';

describe('parseTopic', () => {
  it('resolves a short name in the default namespace', () => {
    expect(parseTopic('gates').full).toBe('persistent://public/default/gates');
    expect(parseTopic('gates', 'platform/prod').full).toBe('persistent://platform/prod/gates');
  });

  it('keeps full names and tenant/namespace/name', () => {
    expect(parseTopic('platform/gates/production').path).toBe('persistent/platform/gates/production');
    expect(parseTopic('non-persistent://a/b/c').full).toBe('non-persistent://a/b/c');
  });

  it.each([
    ['', /invalid topic/],
    ['a/b', /expected NAME/],
    ['persistent://a/b', /expected NAME/],
    ['a/b/c/d', /expected NAME/],
    ['with space', /may only use/],
    ['../etc', /invalid topic/],
    ['a/b c/d', /may only use/],
    ['a/../b', /is not a name/],
    ['persistent://public/./x', /is not a name/],
    ['persistent://a/b/c?x=1', /may only use/],
  ])('refuses %j', (input, message) => {
    expect(() => parseTopic(input)).toThrow(message);
  });
});
