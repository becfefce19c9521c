import { GateError, isGateError } from '../errors.ts';
import { type Clock, type Sleep, sleep } from '../time.ts';
import type { CheckpointSigner } from './checkpoint.ts';
import { type AuditRecord, entryLine } from './entry.ts';
import type { Mirror, TrailSource } from './mirror.ts';
import { readCursor } from './mirror-cursor.ts';
import { MirrorPump, type PumpLog } from './mirror-pump.ts';
import { agreeWithWitness } from './trail-agreement.ts';
import { TrailFile } from './trail-file.ts';

export interface AuditLogOptions {
  /** The state directory's audit folder: the local trail and the mirrors' cursors. */
  readonly dir: string;
  readonly trailId?: string | undefined;
  readonly mirrors: readonly Mirror[];
  /**
   * The mirrors read back (issue 15 §2): at open, a local trail that does not hold a head one
   * of them has for it identically — cut back, or forked — stops the service.
   */
  readonly witnesses?: readonly TrailSource[];
  readonly signer: CheckpointSigner;
  /** Environment names whose `allow` waits for every mirror; `*` means all. */
  readonly auditedEnvironments: readonly string[];
  readonly mirrorTimeoutMs: number;
  readonly checkpointIntervalMs: number;
  /** When the trail file starts a new segment, at a checkpoint (issue 15 §5); absent or 0: never. */
  readonly rotation?: { readonly bytes?: number; readonly ms?: number };
  /** Record and checkpoint times and every deadline are read from this clock. */
  readonly clock: Clock;
  /** How the mirror pumps wait (deadlines, retry backoff); default real time. */
  readonly sleep?: Sleep;
  readonly log: PumpLog;
}

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
    const trail = await TrailFile.open(options.dir, options.trailId, {
      ...options.rotation,
      now: () => options.clock.now(),
    });
    try {
      for (const witness of options.witnesses ?? []) await agreeWithWitness(trail, witness, options.log);
    } catch (error) {
      await trail.close();
      throw error;
    }
    const pumps: MirrorPump[] = [];
    for (const mirror of options.mirrors) {
      const pump = new MirrorPump({
        mirror,
        dir: options.dir,
        mirrored: await readCursor(options.dir, mirror.name),
        log: options.log,
        clock: options.clock,
        sleep: options.sleep ?? sleep,
      });
      // The outbox: whatever this mirror had not confirmed when the last run stopped.
      for (const { entry, line } of await trail.readFrom(pump.mirrored + 1)) pump.enqueue(entry, line);
      pump.start();
      pumps.push(pump);
    }
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
      try {
        await Promise.all(this.#pumps.map((p) => p.flushTo(entry.seq, deadline)));
      } catch (error) {
        if (!isGateError(error)) throw error;
        throw new GateError(error.code, error.message, {
          cause: error.cause,
          details: { ...error.details, seq: String(entry.seq) },
        });
      }
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
