import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { ReadProgress } from '../../src/service/read-progress.ts';

// Message ids as numbers in text: "reached" is "at least this far".
const atLeast = (n: number) => (id: string) => Number(id) >= n;

describe('ReadProgress: waiting for a tailing reader to get far enough', () => {
  it('resolves a waiter only once a message that far has been applied', async () => {
    const progress = new ReadProgress('the decisions topic', 5_000);
    let done = false;
    const waiting = progress.until(atLeast(3)).then(() => {
      done = true;
    });
    progress.advance('1');
    progress.advance('2');
    await Promise.resolve();
    expect(done).toBe(false);
    progress.advance('3');
    await waiting;
    expect(done).toBe(true);
    // Already there: at once.
    await progress.until(atLeast(2));
  });

  it('fails a waiter after its time, with PULSAR_TIMEOUT (the request is redelivered, not decided)', async () => {
    const progress = new ReadProgress('the decisions topic', 20);
    await expect(progress.until(atLeast(1))).rejects.toMatchObject({ code: 'PULSAR_TIMEOUT' });
  });

  it('a reader that gave up fails every waiter, and every later one, closed', async () => {
    const progress = new ReadProgress('the decisions topic', 5_000);
    const waiting = progress.until(atLeast(9));
    const gone = new GateError('PULSAR_UNREACHABLE', 'broker gone');
    progress.fail(gone);
    await expect(waiting).rejects.toBe(gone);
    progress.advance('10');
    await expect(progress.until(atLeast(1))).rejects.toBe(gone);
    expect(progress.failed).toBe(true);
  });
});
