import type { Clock } from '../time.ts';

/**
 * A Bitbucket step runs at most 720 minutes (the `max-time` ceiling), and its OIDC token
 * lives no longer: after that the step can send no request that verifies, and its count
 * may be forgotten.
 */
export const STEP_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** Far more steps than run at once anywhere; the oldest is forgotten first beyond it. */
const MAX_STEPS = 100_000;

interface Step {
  readonly requests: Set<string>;
  readonly since: number;
}

/** How many distinct requests each step has had admitted, up to `max`. */
export class StepQuota {
  readonly #max: number;
  readonly #clock: Clock;
  // Insertion order is first-seen order: the oldest step is the first entry.
  readonly #steps = new Map<string, Step>();

  constructor(max: number, clock: Clock) {
    this.#max = max;
    this.#clock = clock;
  }

  holds(step: string, requestId: string): boolean {
    return this.#live(step)?.requests.has(requestId) === true;
  }

  hasRoom(step: string): boolean {
    return (this.#live(step)?.requests.size ?? 0) < this.#max;
  }

  add(step: string, requestId: string): void {
    const entry = this.#live(step) ?? { requests: new Set<string>(), since: this.#clock.now() };
    entry.requests.add(requestId);
    this.#steps.set(step, entry);
    this.#forgetOld();
  }

  #live(step: string): Step | undefined {
    const entry = this.#steps.get(step);
    if (entry === undefined || this.#clock.now() - entry.since < STEP_LIFETIME_MS) return entry;
    this.#steps.delete(step);
    return undefined;
  }

  #forgetOld(): void {
    const now = this.#clock.now();
    for (const [step, entry] of this.#steps) {
      if (this.#steps.size <= MAX_STEPS && now - entry.since < STEP_LIFETIME_MS) return;
      this.#steps.delete(step);
    }
  }
}
