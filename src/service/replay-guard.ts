import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** What the guard remembers of a decided request (no token, no credential). */
export interface RequestRecord {
  readonly requestId: string;
  readonly requestDigest: string;
  readonly stepUuid: string;
  readonly keyThumbprint: string;
  /** The signed decision that was published, so a redelivery gets the same one. */
  readonly decisionJws: string;
  readonly verdict: 'allow' | 'deny' | 'pending';
  /** Epoch ms of the request's event time. */
  readonly eventTime: number;
}

export type ReplayVerdict =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'redelivered'; readonly decisionJws: string; readonly verdict: RequestRecord['verdict'] }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * P2 on the service's side: a request id is decided once (a redelivery of the same request
 * gets the decision already made; another request reusing the id is refused), an event
 * time outside the window is refused, and a step may sign with one key only. The state is
 * an append-only JSON-lines file, written with fsync before a decision is published, so a
 * restart neither forgets what it decided nor decides anything twice. Entries older than
 * the window can be dropped: the time check refuses those requests anyway.
 */
export class ReplayGuard {
  readonly #byId = new Map<string, RequestRecord>();
  readonly #keyByStep = new Map<string, string>();
  readonly #file: string | undefined;
  readonly #windowMs: number;

  private constructor(file: string | undefined, windowMs: number) {
    this.#file = file;
    this.#windowMs = windowMs;
  }

  /** `dir` undefined keeps state in memory only (tests, single-shot tools). */
  static async open(dir: string | undefined, windowMs: number, now: number): Promise<ReplayGuard> {
    const guard = new ReplayGuard(dir === undefined ? undefined : join(dir, 'replay.jsonl'), windowMs);
    if (dir === undefined || guard.#file === undefined) return guard;
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const text = await fs.readFile(guard.#file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const record = parseRecord(line);
      if (record && now - record.eventTime <= 2 * windowMs) guard.#remember(record);
    }
    await guard.#compact();
    return guard;
  }

  check(input: {
    requestId: string;
    requestDigest: string;
    stepUuid: string;
    keyThumbprint: string;
    eventTime: number;
    now: number;
  }): ReplayVerdict {
    const seen = this.#byId.get(input.requestId);
    if (seen) {
      return seen.requestDigest === input.requestDigest
        ? { kind: 'redelivered', decisionJws: seen.decisionJws, verdict: seen.verdict }
        : { kind: 'refused', reason: `request id ${input.requestId} was already used by another request` };
    }
    if (Math.abs(input.now - input.eventTime) > this.#windowMs) {
      return {
        kind: 'refused',
        reason: `request time is outside the ${Math.round(this.#windowMs / 1000)} s window`,
      };
    }
    const key = this.#keyByStep.get(input.stepUuid);
    if (key !== undefined && key !== input.keyThumbprint) {
      return { kind: 'refused', reason: `step ${input.stepUuid} already signed a request with another key` };
    }
    return { kind: 'fresh' };
  }

  /** Durably records a decision before it is published. */
  async record(record: RequestRecord): Promise<void> {
    if (this.#file) {
      const handle = await fs.open(this.#file, 'a', 0o600);
      try {
        await handle.appendFile(`${JSON.stringify(record)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    this.#remember(record);
  }

  get size(): number {
    return this.#byId.size;
  }

  #remember(record: RequestRecord): void {
    this.#byId.set(record.requestId, record);
    this.#keyByStep.set(record.stepUuid, record.keyThumbprint);
  }

  /** Rewrites the file with what is still needed (write-then-rename: never half a file). */
  async #compact(): Promise<void> {
    if (!this.#file) return;
    const temp = `${this.#file}.${process.pid}.tmp`;
    const lines = [...this.#byId.values()].map((r) => `${JSON.stringify(r)}\n`).join('');
    await fs.writeFile(temp, lines, { mode: 0o600 });
    await fs.rename(temp, this.#file);
  }
}

function parseRecord(line: string): RequestRecord | undefined {
  if (!line.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return undefined;
    const r = value as Record<string, unknown>;
    const fields = ['requestId', 'requestDigest', 'stepUuid', 'keyThumbprint', 'decisionJws', 'verdict'];
    if (!fields.every((f) => typeof r[f] === 'string') || typeof r.eventTime !== 'number') return undefined;
    return value as RequestRecord;
  } catch {
    // A torn last line (crash mid-append) is skipped; fsync'd lines before it are intact.
    return undefined;
  }
}
