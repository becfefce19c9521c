import { describe, expect, it } from 'vitest';
import { SeenDeliveries } from '../../src/webhooks/seen-deliveries.ts';

function seen(maxEntries = 100) {
  let now = 1_000_000;
  const set = new SeenDeliveries({ ttlMs: 60_000, maxEntries, clock: { now: () => now } });
  return { set, advance: (ms: number) => (now += ms) };
}

describe('SeenDeliveries', () => {
  it('refuses an id claimed before, until its TTL has passed', () => {
    const { set, advance } = seen();
    expect(set.claim('a')).toBe(true);
    set.keep('a');
    expect(set.claim('a')).toBe(false);
    advance(59_999);
    expect(set.claim('a')).toBe(false);
    advance(1);
    expect(set.claim('a')).toBe(true);
  });

  it('an id being stored is refused to a concurrent copy; released after a failed publish, it is taken again', () => {
    const { set } = seen();
    expect(set.claim('b')).toBe(true);
    expect(set.claim('b')).toBe(false);
    set.release('b');
    expect(set.claim('b')).toBe(true);
  });

  it('keep restarts the TTL from when the broker stored it', () => {
    const { set, advance } = seen();
    set.claim('c');
    advance(50_000);
    set.keep('c');
    advance(50_000);
    expect(set.claim('c')).toBe(false);
  });

  it('stays bounded: past maxEntries the oldest ids are forgotten first', () => {
    const { set } = seen(3);
    for (const id of ['1', '2', '3', '4', '5']) expect(set.claim(id)).toBe(true);
    expect(set.size).toBe(3);
    expect(set.claim('5')).toBe(false);
    expect(set.claim('3')).toBe(false);
    expect(set.claim('1')).toBe(true);
  });

  it('forgets expired ids as new ones come', () => {
    const { set, advance } = seen();
    for (let i = 0; i < 50; i++) set.claim(`old-${i}`);
    advance(60_000);
    set.claim('new');
    expect(set.size).toBe(1);
  });
});
