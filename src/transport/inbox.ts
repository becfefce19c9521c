import { GateError } from '../errors.ts';
import { type Clock, systemClock } from '../time.ts';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * A queue between a socket that pushes messages and code that waits for them with a
 * deadline. A terminal failure (auth refused, closed) is delivered to every waiter and to
 * every later `next` call, so nobody waits on a queue that can no longer fill.
 */
export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();
  readonly #clock: Clock;
  #failure: unknown;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Items queued for the next `next` calls. */
  get size(): number {
    return this.#items.length;
  }

  /** Callers waiting in `next` now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  push(item: T): void {
    const waiter = this.#waiters.values().next().value;
    if (waiter === undefined) {
      this.#items.push(item);
      return;
    }
    this.#waiters.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.resolve(item);
  }

  /** Ends the queue: queued items are still handed out, then `error` is thrown. */
  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiters.clear();
  }

  next(deadline: number, what = 'a message'): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        timer: setTimeout(
          () => {
            this.#waiters.delete(waiter);
            reject(new GateError('PULSAR_TIMEOUT', `no ${what} arrived before the deadline`));
          },
          Math.max(0, deadline - this.#clock.now()),
        ),
      };
      this.#waiters.add(waiter);
    });
  }
}
