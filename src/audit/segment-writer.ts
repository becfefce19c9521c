import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ACTIVE_SEGMENT, segmentName } from './trail-segments.ts';

interface Pending {
  readonly line: string;
  /** This line starts a new segment (the previous one is renamed after its first seq). */
  readonly startsSegment?: number | undefined;
  readonly done: (error?: unknown) => void;
}

/**
 * Writes a trail's lines to its active segment, fsync'd before a write resolves (lines
 * waiting at the same time share one fsync), and rotates: a line that starts a segment is
 * written only once everything before it is on disk and the active file is renamed to
 * `trail.<its first seq>.jsonl` (the directory fsync'd, so the rename survives a crash).
 * After a failure it refuses every later line: the file may end in a partial line.
 */
export class SegmentWriter {
  readonly #dir: string;
  #handle: fs.FileHandle;
  #firstSeq: number;
  #pending: Pending[] = [];
  #flushing = false;
  #failed: unknown;

  constructor(dir: string, handle: fs.FileHandle, firstSeq: number) {
    this.#dir = dir;
    this.#handle = handle;
    this.#firstSeq = firstSeq;
  }

  get failed(): unknown {
    return this.#failed;
  }

  write(line: string, startsSegment?: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, startsSegment, done: (e) => (e ? reject(e) : resolve()) });
      void this.#flush();
    });
  }

  async close(): Promise<void> {
    while (this.#flushing || this.#pending.length) await new Promise((r) => setTimeout(r, 5));
    await this.#handle.close();
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    while (this.#pending.length) {
      // A batch ends before a line that starts a segment; that line begins the next batch.
      const cut = this.#pending.findIndex((p, i) => i > 0 && p.startsSegment !== undefined);
      const batch = this.#pending.splice(0, cut < 0 ? this.#pending.length : cut);
      try {
        if (this.#failed !== undefined) throw this.#failed;
        const starts = batch[0]?.startsSegment;
        if (starts !== undefined) await this.#rotate(starts);
        await this.#handle.appendFile(batch.map((p) => p.line).join(''));
        await this.#handle.sync();
        for (const p of batch) p.done();
      } catch (error) {
        this.#failed = error;
        for (const p of batch) p.done(error);
      }
    }
    this.#flushing = false;
  }

  async #rotate(firstSeq: number): Promise<void> {
    const active = join(this.#dir, ACTIVE_SEGMENT);
    await this.#handle.close();
    await fs.rename(active, join(this.#dir, segmentName(this.#firstSeq)));
    this.#handle = await fs.open(active, 'a', 0o600);
    const dir = await fs.open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.#firstSeq = firstSeq;
  }
}
