import type { Clock } from '../time.ts';

/**
 * A bounded cache of look-ups: each answer lives `ttlMs` at most, and at most `maxEntries`
 * are kept (the oldest goes first). Only answers are cached, never failures, so an outage
 * is retried on the next decision instead of remembered. Concurrent look-ups of one key
 * share one request.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: Promise<V>; until: number }>();
  readonly #options: { readonly ttlMs: number; readonly maxEntries: number; readonly clock: Clock };

  constructor(options: { ttlMs: number; maxEntries: number; clock: Clock }) {
    this.#options = options;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.#options.clock.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.value;
    this.#entries.delete(key);
    const value = load();
    this.#entries.set(key, { value, until: now + this.#options.ttlMs });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return value;
  }

  /** Forgets every entry whose key starts with `prefix` (a webhook said they changed). */
  forget(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}
