// A durable audit write waits for its mirrors through SeqWaiters: it must go on only once the
// seq it waits for (or a later one) is confirmed, and give up exactly at its deadline.
import { describe, expect, it } from 'vitest';
import { SeqWaiters } from '../../src/audit/seq-waiters.ts';
import type { Sleep } from '../../src/time.ts';

/** A sleep that ends only when the test says the time has come, and records what it was asked. */
function handSleep() {
  const asked: { ms: number; signal: AbortSignal | undefined }[] = [];
  let elapse = (): void => {};
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      asked.push({ ms, signal });
      elapse = resolve;
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { sleep, asked, elapse: () => elapse() };
}

const clock = { now: () => 10_000 };

describe('SeqWaiters', () => {
  it('a wait ends held when its seq is reached, and stops its deadline sleep', async () => {
    const { sleep, asked } = handSleep();
    const waiters = new SeqWaiters(clock, sleep);
    const waiting = waiters.wait(5, 12_500);
    waiters.reached(5);
    expect(await waiting).toBe('held');
    // The deadline is a time on the clock: the sleep is what is left of it.
    expect(asked.map((a) => a.ms)).toEqual([2_500]);
    expect(asked[0]?.signal?.aborted).toBe(true);
  });

  it('an earlier seq confirmed does not release a wait for a later one; a later seq does', async () => {
    const { sleep } = handSleep();
    const waiters = new SeqWaiters(clock, sleep);
    let settled: string | undefined;
    const waiting = waiters.wait(5, 12_500).then((outcome) => {
      settled = outcome;
      return outcome;
    });
    waiters.reached(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBeUndefined();
    waiters.reached(7);
    expect(await waiting).toBe('held');
  });

  it('the deadline first, with the seq never confirmed: late', async () => {
    const { sleep, elapse } = handSleep();
    const waiters = new SeqWaiters(clock, sleep);
    const waiting = waiters.wait(5, 12_500);
    waiters.reached(4);
    elapse();
    expect(await waiting).toBe('late');
  });

  it('waits for different seqs are released each by its own seq', async () => {
    const { sleep } = handSleep();
    const waiters = new SeqWaiters(clock, sleep);
    const order: number[] = [];
    const first = waiters.wait(3, 20_000).then(() => order.push(3));
    const second = waiters.wait(8, 20_000).then(() => order.push(8));
    waiters.reached(3);
    await first;
    waiters.reached(8);
    await second;
    expect(order).toEqual([3, 8]);
  });
});
