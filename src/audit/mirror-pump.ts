import { GateError } from '../errors.ts';
import { fullJitter } from '../retry.ts';
import type { Clock, Sleep } from '../time.ts';
import type { AuditEntry } from './entry.ts';
import type { Mirror } from './mirror.ts';
import { cursorFile, saveCursor } from './mirror-cursor.ts';
import { SeqWaiters } from './seq-waiters.ts';

export type PumpLog = (level: 'warn' | 'error', message: string) => void;

export interface MirrorPumpOptions {
  readonly mirror: Mirror;
  /** Where the cursor file lives: the audit folder. */
  readonly dir: string;
  /** The last seq this mirror confirmed (readCursor). */
  readonly mirrored: number;
  readonly log: PumpLog;
  /** Deadlines are times on this clock, and every wait is a sleep, so tests can drive both. */
  readonly clock: Clock;
  readonly sleep: Sleep;
}

const BATCH = 32;
const ATTEMPT_MS = 10_000;

/**
 * Ships the local trail to one mirror in seq order and remembers how far it got
 * (`<dir>/mirrored-<name>`), so what was not confirmed is sent again after a restart.
 * Failures are retried with full jitter until they pass; one that needs a person
 * (retryable() false: access denied, no such bucket) is retried at the slowest pace and
 * logged, so fixing the configuration resumes the backlog without a restart.
 */
export class MirrorPump {
  readonly mirror: Mirror;
  readonly #cursorFile: string;
  readonly #queue: { entry: AuditEntry; line: string }[] = [];
  readonly #waiters: SeqWaiters;
  readonly #stop = new AbortController();
  readonly #log: PumpLog;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  #mirrored: number;
  #wake: (() => void) | undefined;
  #lastError: unknown;
  #running: Promise<void> | undefined;

  constructor(options: MirrorPumpOptions) {
    this.mirror = options.mirror;
    this.#cursorFile = cursorFile(options.dir, options.mirror.name);
    this.#mirrored = options.mirrored;
    this.#log = options.log;
    this.#clock = options.clock;
    this.#sleep = options.sleep;
    this.#waiters = new SeqWaiters(options.clock, options.sleep);
  }

  get mirrored(): number {
    return this.#mirrored;
  }

  get backlog(): number {
    return this.#queue.length;
  }

  enqueue(entry: AuditEntry, line: string): void {
    if (entry.seq <= this.#mirrored || this.#queue.some((q) => q.entry.seq === entry.seq)) return;
    // Appends that finish together may arrive out of order: keep the queue sorted by seq.
    let at = this.#queue.length;
    while (at > 0 && (this.#queue[at - 1]?.entry.seq ?? -1) > entry.seq) at--;
    this.#queue.splice(at, 0, { entry, line });
    this.#wake?.();
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Resolves once the mirror holds every entry up to `seq`; AUDIT_UNAVAILABLE at the deadline. */
  async flushTo(seq: number, deadline: number): Promise<void> {
    if (this.#mirrored >= seq) return;
    const outcome = await this.#waiters.wait(seq, deadline);
    if (outcome === 'late') {
      const why = this.#lastError instanceof Error ? `: ${this.#lastError.message}` : '';
      throw new GateError(
        'AUDIT_UNAVAILABLE',
        `audit mirror ${this.mirror.name} did not confirm seq ${seq} in time${why}`,
        {
          cause: this.#lastError,
          details: { mirror: this.mirror.name },
        },
      );
    }
  }

  /** Stops after what is in flight; what is left stays in the local trail for the next run. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#running;
    await this.mirror.close();
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      // Only the run that follows the confirmed seq without a hole, so the cursor never skips one.
      const batch = this.#queue.slice(0, BATCH).filter((q, i) => q.entry.seq === this.#mirrored + 1 + i);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      try {
        const deadline = this.#clock.now() + ATTEMPT_MS;
        // One batch in parallel: the mirrors key entries by seq, so their order on the wire does not matter.
        await Promise.all(batch.map(({ entry, line }) => this.mirror.put(entry, line, deadline)));
        this.#queue.splice(0, batch.length);
        this.#mirrored = batch[batch.length - 1]?.entry.seq ?? this.#mirrored;
        attempt = 0;
        this.#lastError = undefined;
        this.#waiters.reached(this.#mirrored);
        await saveCursor(this.#cursorFile, this.#mirrored);
      } catch (error) {
        this.#lastError = error;
        const retryable = this.mirror.retryable(error);
        const delay = retryable ? fullJitter(attempt++, { baseMs: 100, capMs: 5_000 }) : 60_000;
        this.#log(
          retryable ? 'warn' : 'error',
          `audit mirror ${this.mirror.name}: ${error instanceof Error ? error.message : String(error)}; ${this.#queue.length} entries waiting, next try in ${delay} ms`,
        );
        await this.#sleep(delay, this.#stop.signal).catch(() => undefined);
      }
    }
  }
}
