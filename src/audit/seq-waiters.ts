import type { Clock, Sleep } from '../time.ts';

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Callers waiting for a mirror to confirm a seq, each until its own deadline. Deadlines are
 * times on the injected clock and the wait is the injected sleep, so tests drive both.
 */
export class SeqWaiters {
  readonly #waiters = new Set<Waiter>();
  readonly #clock: Clock;
  readonly #sleep: Sleep;

  constructor(clock: Clock, sleep: Sleep) {
    this.#clock = clock;
    this.#sleep = sleep;
  }

  /** `held` once `reached` was told of `seq` or a later one; `late` when the deadline came first. */
  async wait(seq: number, deadline: number): Promise<'held' | 'late'> {
    let waiter: Waiter | undefined;
    const held = new Promise<void>((resolve) => {
      waiter = { seq, resolve };
      this.#waiters.add(waiter);
    });
    const giveUp = new AbortController();
    const late = this.#sleep(deadline - this.#clock.now(), giveUp.signal).then(
      () => 'late' as const,
      () => 'held' as const,
    );
    const outcome = await Promise.race([held.then(() => 'held' as const), late]);
    giveUp.abort();
    if (waiter) this.#waiters.delete(waiter);
    return outcome;
  }

  /** Every entry up to `seq` is confirmed: whoever waits for one of them goes on. */
  reached(seq: number): void {
    for (const w of this.#waiters) if (w.seq <= seq) w.resolve();
  }
}
