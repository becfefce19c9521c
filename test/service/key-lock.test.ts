import { describe, expect, it } from 'vitest';
import { KeyedSerializer, SingleFlight } from '../../src/service/key-lock.ts';

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
