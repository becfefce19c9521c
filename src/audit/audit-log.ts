import type { AuditLogOptions } from './audit-log-options.ts';
import { type AuditRecord, entryLine } from './entry.ts';
import type { MirrorPump } from './mirror-pump.ts';
import { flushAll, startMirrorPumps } from './mirror-pumps.ts';
import { openAgreedTrail } from './trail-agreement.ts';
import type { TrailFile } from './trail-file.ts';

/**
 * The service's audit trail: every decision is appended to the local hash-chained trail
 * (fsync'd) and shipped to each mirror. A durable write — an `allow` for an audited
 * environment — resolves only when every mirror confirmed it, and fails with
 * AUDIT_UNAVAILABLE (carrying the record's seq) when one did not in time. Signed
 * checkpoints are appended every interval that saw a decision, and at close; a new trail
 * starts with a signed genesis.
 */
export class AuditLog {
  readonly #options: AuditLogOptions;
  readonly #trail: TrailFile;
  readonly #pumps: readonly MirrorPump[];
  readonly #audited: ReadonlySet<string>;
  #sinceCheckpoint = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(options: AuditLogOptions, trail: TrailFile, pumps: MirrorPump[]) {
    this.#options = options;
    this.#trail = trail;
    this.#pumps = pumps;
    this.#audited = new Set(options.auditedEnvironments);
  }

  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const trail = await openAgreedTrail(options);
    const pumps = await startMirrorPumps(options, trail);
    const log = new AuditLog(options, trail, pumps);
    // After a crash, the next checkpoint also signs what the last run left uncovered.
    if (trail.uncovered) log.#sinceCheckpoint = 1;
    if (trail.next.seq === 0) await log.#openTrail();
    log.#timer = setInterval(() => {
      log
        .checkpoint()
        .catch((error: unknown) => options.log('error', `audit checkpoint failed: ${String(error)}`));
    }, options.checkpointIntervalMs);
    log.#timer.unref();
    return log;
  }

  get trail(): string {
    return this.#trail.next.trail;
  }

  /** The seq the next entry will get. */
  get nextSeq(): number {
    return this.#trail.next.seq;
  }

  /** Entries each mirror has yet to confirm. */
  backlog(): Record<string, number> {
    return Object.fromEntries(this.#pumps.map((p) => [p.mirror.name, p.backlog]));
  }

  audited(environment: string): boolean {
    return this.#audited.has('*') || this.#audited.has(environment);
  }

  /** Appends one decision's record; with `durable`, waits for every mirror. Returns its leaf. */
  async write(record: AuditRecord, durable: boolean): Promise<{ trail: string; index: number }> {
    const at = new Date(this.#options.clock.now()).toISOString();
    const entry = await this.#trail.append((head) => ({ v: 1, ...head, at, type: 'decision', record }));
    this.#sinceCheckpoint++;
    this.#ship(entry);
    if (durable) {
      const deadline = this.#options.clock.now() + this.#options.mirrorTimeoutMs;
      await flushAll(this.#pumps, entry.seq, deadline);
    }
    return { trail: entry.trail, index: entry.seq };
  }

  /** Signs the chain so far, when something was appended since the last checkpoint. */
  async checkpoint(): Promise<void> {
    if (this.#sinceCheckpoint === 0) return;
    this.#sinceCheckpoint = 0;
    const at = new Date(this.#options.clock.now()).toISOString();
    const entry = await this.#trail.append((head) =>
      this.#options.signer.sign({ v: 1, ...head, at, type: 'checkpoint', ...this.#trail.treeHead() }),
    );
    this.#ship(entry);
  }

  /** Final checkpoint, then up to `flushMs` for the mirrors to catch up; the rest waits in the outbox. */
  async close(flushMs = 5_000): Promise<void> {
    clearInterval(this.#timer);
    await this.checkpoint();
    const last = this.#trail.next.seq - 1;
    const deadline = this.#options.clock.now() + flushMs;
    await Promise.allSettled(this.#pumps.map((p) => p.flushTo(last, deadline)));
    await Promise.all(this.#pumps.map((p) => p.stop()));
    await this.#trail.close();
  }

  /**
   * A new trail starts with a signed genesis (trail id, key id, time), shipped like any entry,
   * and a checkpoint over it at once: `audit verify` refuses a trail without a checkpoint
   * (issue 15 §1), and a running trail must verify (with its unsigned tail allowed) before
   * its first interval ends.
   */
  async #openTrail(): Promise<void> {
    const at = new Date(this.#options.clock.now()).toISOString();
    const entry = await this.#trail.append((head) =>
      this.#options.signer.sign({ v: 1, ...head, at, type: 'genesis', kid: this.#options.signer.kid }),
    );
    this.#ship(entry);
    this.#sinceCheckpoint = 1;
    await this.checkpoint();
  }

  #ship(entry: Parameters<MirrorPump['enqueue']>[0]): void {
    const line = entryLine(entry);
    for (const pump of this.#pumps) pump.enqueue(entry, line);
  }
}
