import { GateError } from '../errors.ts';

interface Waiter {
  readonly reached: (messageId: string) => boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * How far a tailing reader has applied a topic, and who waits for it to get somewhere:
 * `until` resolves once a message for which `reached` holds was applied, fails after
 * `timeoutMs`, and fails at once (and from then on) after `fail`.
 */
export class ReadProgress {
  readonly #waiters = new Set<Waiter>();
  readonly #timeoutMs: number;
  readonly #what: string;
  #last: string | undefined;
  #failure: unknown;

  constructor(what: string, timeoutMs: number) {
    this.#what = what;
    this.#timeoutMs = timeoutMs;
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** The reader applied the message `messageId`. */
  advance(messageId: string): void {
    this.#last = messageId;
    for (const waiter of this.#waiters) if (waiter.reached(messageId)) this.#settle(waiter);
  }

  until(reached: (messageId: string) => boolean): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#last !== undefined && reached(this.#last)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        reached,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const late = `${this.#what} was not read that far within ${this.#timeoutMs} ms`;
          reject(new GateError('PULSAR_TIMEOUT', late));
        }, this.#timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  fail(error: unknown): void {
    this.#failure ??= error;
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiters.clear();
  }

  #settle(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.resolve();
  }
}
