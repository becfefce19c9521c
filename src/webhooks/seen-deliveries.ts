import type { Clock } from '../time.ts';

/**
 * The delivery ids (`X-Request-UUID`) this receiver has stored or is storing, each remembered
 * `ttlMs` and at most `maxEntries` of them (the oldest is forgotten first: memory stays
 * bounded under a flood of validly signed deliveries). A delivery is `claim`ed before it is
 * published, so two concurrent copies cannot both go out; a publish that fails `release`s it,
 * so Bitbucket's retry of that delivery is published (at-least-once), and one that succeeds is
 * `keep`t for the full TTL.
 *
 * This is the receiver's replay guard, not the consumers' dedup: it is per process and in
 * memory, so a replay after the TTL, after a restart or at another replica gets through, with
 * the same CloudEvents `id`. Consumers deduplicate by that id (docs/architecture.md, Webhooks).
 */
export class SeenDeliveries {
  readonly #until = new Map<string, number>();
  readonly #options: { readonly ttlMs: number; readonly maxEntries: number; readonly clock: Clock };

  constructor(options: { ttlMs: number; maxEntries: number; clock: Clock }) {
    this.#options = options;
  }

  /** False when the id was seen within the TTL (a replay); otherwise remembers it and says true. */
  claim(id: string): boolean {
    const now = this.#options.clock.now();
    const until = this.#until.get(id);
    if (until !== undefined && until > now) return false;
    this.#until.delete(id);
    this.#until.set(id, now + this.#options.ttlMs);
    this.#prune(now);
    return true;
  }

  /** The publish of a claimed id failed: forget it, so a retry is accepted. */
  release(id: string): void {
    this.#until.delete(id);
  }

  /** The claimed id is stored: keep it for the full TTL from now. */
  keep(id: string): void {
    this.#until.delete(id);
    this.#until.set(id, this.#options.clock.now() + this.#options.ttlMs);
  }

  get size(): number {
    return this.#until.size;
  }

  #prune(now: number): void {
    // Insertion order is expiry order (every entry gets the same TTL), so expired ones are first.
    for (const [id, until] of this.#until) {
      if (until > now && this.#until.size <= this.#options.maxEntries) break;
      this.#until.delete(id);
    }
  }
}
