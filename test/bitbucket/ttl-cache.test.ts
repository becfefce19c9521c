import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/bitbucket/ttl-cache.ts';

describe('TtlCache', () => {
  it('shares one load between concurrent callers, expires by the injected clock, and caps its size', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number>({ ttlMs: 10, maxEntries: 2, clock: { now: () => now } });
    const load = async (): Promise<number> => ++loads;
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    now = 10;
    expect(await cache.get('a', load)).toBe(2);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(await cache.get('a', load)).toBe(5);
  });

  it('forgets a failed load, so the next caller asks again', async () => {
    const cache = new TtlCache<string>({ ttlMs: 1_000, maxEntries: 10, clock: { now: () => 0 } });
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', async () => 'up')).toBe('up');
  });
});
