import type { Clock } from '../time.ts';

interface Bucket {
  tokens: number;
  at: number;
}

/** Idle buckets are dropped beyond this many: a full bucket is the same as none. */
const SWEEP_ABOVE = 10_000;

/**
 * One token bucket per key: `capacity` tokens, refilled continuously at `capacity` per
 * `periodMs`, so a key may burst up to `capacity` and then sustain `capacity` per period.
 */
export class TokenBuckets {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(capacity: number, periodMs: number, clock: Clock) {
    this.#capacity = capacity;
    this.#perMs = capacity / periodMs;
    this.#clock = clock;
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    bucket.tokens = this.#level(bucket, now);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > SWEEP_ABOVE) this.#sweep(now);
    return true;
  }

  #level(bucket: Bucket, now: number): number {
    // A clock that steps back refills nothing (max 0), rather than draining the bucket.
    return Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
  }

  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets)
      if (this.#level(bucket, now) >= this.#capacity) this.#buckets.delete(key);
  }
}
