/**
 * In-process ordering for P2 (docs/design.md §3). Within one replica, checking a request
 * against what was decided and recording its decision must not interleave with another
 * request of the same step, and a copy of a request that is being decided must not be
 * decided a second time. Across replicas the decisions topic settles the rest
 * (src/service/decision-ledger.ts).
 */

/** Runs the tasks given for one key one after another, in arrival order. */
export class KeyedSerializer {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(key, tail);
    // The last task of a key removes the key, so the map holds only keys with work queued.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued. */
  get size(): number {
    return this.#tails.size;
  }
}

/** Concurrent calls with one key share the first call's result (or its failure). */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): { readonly result: Promise<T>; readonly shared: boolean } {
    const flying = this.#flights.get(key);
    if (flying) return { result: flying, shared: true };
    const result = task().finally(() => this.#flights.delete(key));
    this.#flights.set(key, result);
    return { result, shared: false };
  }

  get size(): number {
    return this.#flights.size;
  }
}

/**
 * Coalesces a refresh that many callers need "from now on": a caller gets a run that starts
 * no earlier than its call. While one runs, every later caller shares the one run queued
 * after it, so N concurrent callers cost at most two runs, not N.
 */
export class Coalesced {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  run(task: () => Promise<void>): Promise<void> {
    const running = this.#running;
    if (running === undefined) return this.#start(task);
    this.#queued ??= running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined;
        return this.#start(task);
      });
    return this.#queued;
  }

  #start(task: () => Promise<void>): Promise<void> {
    const run = task().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }
}
