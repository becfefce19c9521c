import { describe, expect, it } from 'vitest';
import { fullJitter, retry } from '../src/retry.ts';

function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('retry', () => {
  it('retries only what is retryable', async () => {
    const time = fakeTime();
    let calls = 0;
    const fatal = new Error('fatal');
    await expect(
      retry(
        async () => {
          calls++;
          throw fatal;
        },
        { baseMs: 10, capMs: 100, deadline: time.clock.now() + 10_000, isRetryable: () => false, ...time },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('succeeds after transient failures, sleeping a jittered delay each time', async () => {
    const time = fakeTime();
    let calls = 0;
    const value = await retry(
      async () => {
        if (++calls < 4) throw new Error('transient');
        return 'ok';
      },
      {
        baseMs: 100,
        capMs: 1_000,
        deadline: time.clock.now() + 60_000,
        isRetryable: () => true,
        random: () => 0.5,
        ...time,
      },
    );
    expect(value).toBe('ok');
    expect(time.sleeps).toEqual([50, 100, 200]);
  });

  it('never starts an attempt after the deadline', async () => {
    const time = fakeTime();
    let calls = 0;
    const start = time.clock.now();
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('down');
        },
        {
          baseMs: 100,
          capMs: 400,
          deadline: start + 1_000,
          isRetryable: () => true,
          random: () => 0.99,
          ...time,
        },
      ),
    ).rejects.toThrow('down');
    expect(time.clock.now()).toBeLessThanOrEqual(start + 1_000);
    expect(calls).toBeGreaterThan(1);
  });

  it('full jitter stays under min(cap, base·2^attempt)', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(fullJitter(attempt, { baseMs: 100, capMs: 2_000 }, () => 0.999999)).toBeLessThan(
        Math.min(2_000, 100 * 2 ** attempt),
      );
    }
  });
});
