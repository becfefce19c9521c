/**
 * A background loop on an unref'd timer, for a long-running process that should refresh a
 * credential before anyone asks for it. It never keeps the process alive, and stop() also
 * ends a run that is in flight (its result schedules nothing).
 */
export interface RefreshLoop {
  start(): void;
  stop(): void;
}

/** `step` resolves with the delay (ms) until it should run again; it must not reject. */
export function createRefreshLoop(step: () => Promise<number>): RefreshLoop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: object | undefined;
  const schedule = (delay: number, self: object): void => {
    timer = setTimeout(() => {
      step().then((next) => running === self && schedule(next, self));
    }, delay);
    timer.unref();
  };
  return {
    start() {
      if (running !== undefined) return;
      running = {};
      schedule(0, running);
    },
    stop() {
      running = undefined;
      clearTimeout(timer);
    },
  };
}
