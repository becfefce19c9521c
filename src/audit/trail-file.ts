import { join } from 'node:path';
import { GateError } from '../errors.ts';
import { type AuditEntry, entryDigest, entryLine, parseEntry, type TreeHead } from './entry.ts';
import { leafHash } from './merkle/hash.ts';
import type { MerkleTree } from './merkle/tree.ts';
import type { SegmentWriter } from './segment-writer.ts';
import { type Opened, openTrail, type Rotation, type Segment, type TrailHead } from './trail-open.ts';
import { ACTIVE_SEGMENT, segmentLines, trailSegments } from './trail-segments.ts';
import { treeHeadOf } from './tree-head.ts';

export type { Rotation, TrailHead } from './trail-open.ts';

/**
 * The local trail in `<dir>`: append-only, one canonical entry a line, fsync'd before an append
 * resolves; the active segment is `trail.jsonl`, and with a Rotation, the next checkpoint after
 * it grew past the size or the age starts a new one, so each segment after the first opens
 * with the signed head of everything before it. It is also the outbox: mirrors replay from it
 * what they have not confirmed, so it survives restarts. After a restart the chain continues
 * from the last whole line (a torn last line, never acknowledged, is cut off). It also keeps
 * the RFC 9162 Merkle tree over every segment's entries (each line, canonical as written, a
 * leaf), pruned to what the next signed tree head needs.
 */
export class TrailFile {
  readonly path: string;
  /** The last entry on disk at open was not a checkpoint: a crash left entries no checkpoint covers. */
  readonly uncovered: boolean;
  readonly #dir: string;
  readonly #writer: SegmentWriter;
  readonly #tree: MerkleTree;
  readonly #rotation: Rotation | undefined;
  readonly #segment: Segment;
  #next: TrailHead;
  /** Size of the last signed tree head (a checkpoint's), undefined before the first. */
  #lastHead: number | undefined;
  #building: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, state: Opened, rotation: Rotation | undefined) {
    this.#dir = dir;
    this.path = join(dir, ACTIVE_SEGMENT);
    this.uncovered = state.uncovered;
    this.#writer = state.writer;
    this.#tree = state.tree;
    this.#lastHead = state.lastHead;
    this.#next = state.next;
    this.#segment = state.segment;
    this.#rotation = rotation;
  }

  static async open(dir: string, trailId?: string, rotation?: Rotation): Promise<TrailFile> {
    return new TrailFile(dir, await openTrail(dir, trailId, rotation), rotation);
  }

  /** The signed tree head's content for everything appended so far (call it inside a build). */
  treeHead(): TreeHead {
    return treeHeadOf(this.#tree, this.#tree.size, this.#lastHead);
  }

  /** What the next append will get. */
  get next(): TrailHead {
    return this.#next;
  }

  /**
   * Appends the entry `build` makes for the next position; entries are built one at a time,
   * in seq order. Resolves once the line is on disk.
   */
  async append(build: (head: TrailHead) => AuditEntry | Promise<AuditEntry>): Promise<AuditEntry> {
    const built = this.#building.then(async () => {
      if (this.#writer.failed !== undefined) throw this.#writeError(this.#writer.failed);
      const entry = await build(this.#next);
      const line = `${entryLine(entry)}\n`;
      this.#next = { trail: entry.trail, seq: entry.seq + 1, prev: entryDigest(entry) };
      this.#tree.append(leafHash(Buffer.from(line.slice(0, -1), 'utf8')));
      let startsSegment: number | undefined;
      if (entry.type === 'checkpoint') {
        this.#lastHead = entry.size;
        this.#tree.prune(entry.size);
        if (this.#rotationDue(entry.seq)) startsSegment = entry.seq;
      }
      if (startsSegment !== undefined) Object.assign(this.#segment, this.#newSegment(entry.seq));
      this.#segment.bytes += Buffer.byteLength(line);
      return { entry, written: this.#writer.write(line, startsSegment) };
    });
    this.#building = built.catch(() => undefined);
    const { entry, written } = await built;
    await written.catch((error: unknown) => {
      throw this.#writeError(error);
    });
    return entry;
  }

  /** Every entry from `seq` on, across segments (the outbox of a mirror after a restart). */
  async readFrom(seq: number): Promise<{ entry: AuditEntry; line: string }[]> {
    const segments = await trailSegments(this.#dir);
    const out: { entry: AuditEntry; line: string }[] = [];
    for (const [i, segment] of segments.entries()) {
      const after = segments[i + 1]?.firstSeq;
      if (after !== undefined && after <= seq) continue; // wholly before seq
      for (const line of await segmentLines(segment.path)) {
        const entry = parseEntry(line);
        if (typeof entry !== 'string' && entry.seq >= seq) out.push({ entry, line });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#building;
    await this.#writer.close();
  }

  /** A checkpoint starts a new segment when the active one is big or old enough, and holds more than it. */
  #rotationDue(seq: number): boolean {
    const r = this.#rotation;
    if (r === undefined || seq <= this.#segment.firstSeq) return false;
    const big = r.bytes !== undefined && r.bytes > 0 && this.#segment.bytes >= r.bytes;
    const old = r.ms !== undefined && r.ms > 0 && r.now() - this.#segment.startedAt >= r.ms;
    return big || old;
  }

  #newSegment(firstSeq: number): Segment {
    return { firstSeq, bytes: 0, startedAt: this.#rotation?.now() ?? 0 };
  }

  #writeError(cause: unknown): GateError {
    return new GateError('AUDIT_WRITE', `the audit trail ${this.path} could not be written`, { cause });
  }
}
