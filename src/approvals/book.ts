import type { ApprovalAct } from '../decision/approval-facts.ts';
import type { ApprovalRecord, OpenedRecord } from './records.ts';
import { type Standing, tally } from './tally.ts';

/** One pending request and the acts recorded for it, in the approvals topic's order. */
export interface Entry {
  readonly opened: OpenedRecord;
  readonly acts: readonly ApprovalAct[];
}

/**
 * The approvals topic as one replica has read it: a deterministic function of the records in
 * order, so replicas that read to the same message agree, and a restarted replica rebuilds it
 * by reading the topic from its start. The first `opened` record of a request id stands; an
 * act counts only for the request id AND digest it names (never another request's).
 */
export class ApprovalBook {
  readonly #entries = new Map<string, { opened: OpenedRecord; acts: ApprovalAct[] }>();
  readonly #keepMs: number;

  /** Entries are forgotten this long after their window closed (the topic still holds them). */
  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  apply(record: ApprovalRecord, now: number): void {
    this.#prune(now);
    if (record.kind === 'opened') {
      if (!this.#entries.has(record.requestId))
        this.#entries.set(record.requestId, { opened: record, acts: [] });
      return;
    }
    const entry = this.#entries.get(record.requestId);
    if (entry === undefined || entry.opened.requestDigest !== record.requestDigest) return;
    entry.acts.push(record.act);
  }

  get(requestId: string): Entry | undefined {
    return this.#entries.get(requestId);
  }

  standing(requestId: string, now: number): Standing | undefined {
    const entry = this.#entries.get(requestId);
    return entry && tally(entry.opened, entry.acts, now);
  }

  /** Requests still waiting for people, oldest first. */
  pending(now: number): Entry[] {
    return [...this.#entries.values()].filter((e) => tally(e.opened, e.acts, now).state === 'pending');
  }

  /** Requests whose window closed unsettled within the last `withinMs`. */
  expired(now: number, withinMs: number): Entry[] {
    return [...this.#entries.values()].filter(
      (e) =>
        now - Date.parse(e.opened.expiresAt) <= withinMs && tally(e.opened, e.acts, now).state === 'expired',
    );
  }

  #prune(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (now - Date.parse(entry.opened.expiresAt) <= this.#keepMs) break;
      this.#entries.delete(id);
    }
  }
}
