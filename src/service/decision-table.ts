import type { Clock } from '../time.ts';
import type { DecisionRecord } from './decision-record.ts';
import { STEP_LIFETIME_MS } from './step-quota.ts';

/** What is asked of the table about a verified request before it is decided. */
export interface ReplayQuestion {
  readonly requestId: string;
  readonly requestDigest: string;
  readonly stepUuid: string;
  readonly keyThumbprint: string;
  /** Epoch ms of the request's event time. */
  readonly eventTime: number;
}

/** How a record was taken when read in the topic's order. */
export type Applied = 'accepted' | 'duplicate' | 'second-key';

export type ReplayVerdict =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'redelivered'; readonly record: DecisionRecord }
  /** Another key already bound this step: a deny that is recorded for this request. */
  | { readonly kind: 'second-key'; readonly reason: string }
  /** Not answerable as this request (its id is taken, its time outside the window): not recorded. */
  | { readonly kind: 'refused'; readonly reason: string };

export const secondKeyReason = (stepUuid: string): string =>
  `a second request key for this step: step ${stepUuid} already signed a request with another key`;

/**
 * P2's state, a deterministic function of the decisions topic read in order, so every
 * replica that has read to the same message holds the same table: the first record of a
 * request id stands (later ones are duplicates, void; a `pending` one gives way once, to the
 * first final record of the same request), and the first record that binds a
 * step fixes its key (a later one with another key is void). Records are kept for twice the
 * request window (an older request is refused by its time anyway); a step's key for a step's
 * lifetime, so a step cannot switch keys while its token may still verify.
 */
export class DecisionTable {
  readonly #byId = new Map<string, DecisionRecord>();
  readonly #keyByStep = new Map<string, { readonly key: string; readonly at: number }>();
  readonly #windowMs: number;
  readonly #clock: Clock;

  constructor(windowMs: number, clock: Clock) {
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  apply(record: DecisionRecord): Applied {
    this.#prune();
    const seen = this.#byId.get(record.requestId);
    // A pending request is settled later by people (issue 16): the first final record of the
    // same request (same digest, same key) replaces its pending one; anything else is void.
    if (seen !== undefined && !settles(seen, record)) return 'duplicate';
    if (seen !== undefined) {
      this.#byId.set(record.requestId, record);
      return 'accepted';
    }
    const bound = this.#keyByStep.get(record.stepUuid);
    if (record.bindsStep && bound !== undefined && bound.key !== record.keyThumbprint) return 'second-key';
    this.#byId.set(record.requestId, record);
    if (record.bindsStep && bound === undefined)
      this.#keyByStep.set(record.stepUuid, { key: record.keyThumbprint, at: record.eventTime });
    return 'accepted';
  }

  /** The decision that stands for a request id, if any. */
  decisionFor(requestId: string): DecisionRecord | undefined {
    return this.#byId.get(requestId);
  }

  check(input: ReplayQuestion): ReplayVerdict {
    this.#prune();
    const seen = this.#byId.get(input.requestId);
    if (seen) {
      return seen.requestDigest === input.requestDigest
        ? { kind: 'redelivered', record: seen }
        : { kind: 'refused', reason: `request id ${input.requestId} was already used by another request` };
    }
    if (Math.abs(this.#clock.now() - input.eventTime) > this.#windowMs) {
      const seconds = Math.round(this.#windowMs / 1000);
      return { kind: 'refused', reason: `request time is outside the ${seconds} s window` };
    }
    const bound = this.#keyByStep.get(input.stepUuid);
    if (bound !== undefined && bound.key !== input.keyThumbprint)
      return { kind: 'second-key', reason: secondKeyReason(input.stepUuid) };
    return { kind: 'fresh' };
  }

  get size(): number {
    return this.#byId.size;
  }

  get steps(): number {
    return this.#keyByStep.size;
  }

  /** Maps iterate in insertion order, near enough time order: drop old entries from the front. */
  #prune(): void {
    const now = this.#clock.now();
    for (const [id, record] of this.#byId) {
      if (now - record.eventTime <= 2 * this.#windowMs) break;
      this.#byId.delete(id);
    }
    for (const [step, bound] of this.#keyByStep) {
      if (now - bound.at <= STEP_LIFETIME_MS) break;
      this.#keyByStep.delete(step);
    }
  }
}

/** Whether `next` is the final decision of the pending request `seen` (issue 16). */
function settles(seen: DecisionRecord, next: DecisionRecord): boolean {
  return (
    seen.verdict === 'pending' &&
    next.verdict !== 'pending' &&
    next.requestDigest === seen.requestDigest &&
    next.keyThumbprint === seen.keyThumbprint &&
    next.stepUuid === seen.stepUuid
  );
}
