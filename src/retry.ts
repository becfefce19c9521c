import { type Clock, sleep as realSleep, type Sleep, systemClock } from './time.ts';

export interface BackoffOptions {
  /** First delay ceiling, in ms. */
  readonly baseMs: number;
  /** Largest delay ceiling, in ms. */
  readonly capMs: number;
}

export interface RetryOptions extends BackoffOptions {
  /** Absolute time (epoch ms) after which no further attempt starts. */
  readonly deadline: number;
  readonly maxAttempts?: number;
  readonly isRetryable: (error: unknown) => boolean;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * "Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniformly
 * random delay in [0, min(cap, base·2^attempt)), which spreads retrying clients apart.
 */
export function fullJitter(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Runs `task` until it succeeds, fails with a non-retryable error, runs out of attempts,
 * or the next attempt would start after the deadline; then the last error is thrown.
 */
export async function retry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const wait = options.sleep ?? realSleep;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (!options.isRetryable(error) || attempt + 1 >= maxAttempts) throw error;
      const delayMs = fullJitter(attempt, options, options.random);
      if (clock.now() + delayMs >= options.deadline) throw error;
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}
