import { describe, expect, it } from 'vitest';
import { Coalesced, KeyedSerializer, SingleFlight } from '../../src/service/key-lock.ts';

/** A promise the test settles by hand. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSerializer: one step at a time (P2, within a replica)', () => {
  it('a second task of one key starts only once the first has settled, whatever order they finish in', async () => {
    const steps = new KeyedSerializer();
    const trace: string[] = [];
    const first = gate();
    const a = steps.run('step', async () => {
      trace.push('a starts');
      await first.promise;
      trace.push('a ends');
    });
    const b = steps.run('step', async () => {
      trace.push('b starts');
    });
    await tick();
    expect(trace).toEqual(['a starts']);
    first.open();
    await Promise.all([a, b]);
    expect(trace).toEqual(['a starts', 'a ends', 'b starts']);
    await tick();
    expect(steps.size).toBe(0);
  });

  it("a failed task does not block the key, and its failure is only its caller's", async () => {
    const steps = new KeyedSerializer();
    const failing = steps.run('step', async () => {
      throw new Error('broker down');
    });
    const next = steps.run('step', async () => 'decided');
    await expect(failing).rejects.toThrow('broker down');
    await expect(next).resolves.toBe('decided');
  });

  it('tasks of other keys run at once', async () => {
    const steps = new KeyedSerializer();
    const held = gate();
    const trace: string[] = [];
    const a = steps.run('step-a', async () => {
      await held.promise;
      trace.push('a');
    });
    await steps.run('step-b', async () => {
      trace.push('b');
    });
    expect(trace).toEqual(['b']);
    held.open();
    await a;
  });

  it('twenty interleaving check-then-record tasks of one key never see a stale check', async () => {
    const steps = new KeyedSerializer();
    let recorded = 0;
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () =>
        steps.run('step', async () => {
          const before = recorded;
          await tick();
          seen.push(before);
          recorded = before + 1;
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('SingleFlight: copies of one request share its decision', () => {
  it('20 concurrent calls run the task once and all get its result', async () => {
    const flights = new SingleFlight<string>();
    const held = gate<string>();
    let runs = 0;
    const calls = Array.from({ length: 20 }, () =>
      flights.run('request', () => {
        runs++;
        return held.promise;
      }),
    );
    expect(calls.filter((c) => c.shared)).toHaveLength(19);
    held.open('signed decision');
    expect(await Promise.all(calls.map((c) => c.result))).toEqual(Array(20).fill('signed decision'));
    expect(runs).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('a failure reaches every copy, and the next call runs afresh', async () => {
    const flights = new SingleFlight<string>();
    const held = gate<string>();
    const a = flights.run('request', () => held.promise);
    const b = flights.run('request', () => Promise.resolve('never run'));
    held.fail(new Error('timeout'));
    await expect(a.result).rejects.toThrow('timeout');
    await expect(b.result).rejects.toThrow('timeout');
    const again = flights.run('request', () => Promise.resolve('decided'));
    expect(again.shared).toBe(false);
    await expect(again.result).resolves.toBe('decided');
  });
});

describe('Coalesced: one catch-up for many callers, never one that began before the call', () => {
  it('callers during a run share one run queued after it; the run each gets starts after its call', async () => {
    const catchUps = new Coalesced();
    const runs: Array<ReturnType<typeof gate<void>>> = [];
    const task = () => {
      const run = gate<void>();
      runs.push(run);
      return run.promise;
    };
    const first = catchUps.run(task);
    await tick();
    // Ten callers arrive while the first run is under way: it began before them, so it cannot serve them.
    const later = Array.from({ length: 10 }, () => catchUps.run(task));
    let laterDone = false;
    void Promise.all(later).then(() => {
      laterDone = true;
    });
    expect(runs).toHaveLength(1);
    runs[0]?.open();
    await first;
    await tick();
    expect(runs).toHaveLength(2);
    expect(laterDone).toBe(false);
    runs[1]?.open();
    await Promise.all(later);
    expect(runs).toHaveLength(2);
  });

  it('a failed run fails its callers only; the queued run still happens', async () => {
    const catchUps = new Coalesced();
    const failing = gate<void>();
    const first = catchUps.run(() => failing.promise);
    const next = catchUps.run(async () => {});
    failing.fail(new Error('admin API down'));
    await expect(first).rejects.toThrow('admin API down');
    await expect(next).resolves.toBeUndefined();
  });
});
