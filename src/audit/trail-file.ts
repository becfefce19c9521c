import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../errors.ts';
import { type AuditEntry, entryDigest, entryLine, GENESIS, parseEntry, type TreeHead } from './entry.ts';
import { leafHash } from './merkle/hash.ts';
import { MerkleTree } from './merkle/tree.ts';
import { treeHeadOf } from './tree-head.ts';

/** Where the next entry goes: its trail, its seq and the digest it must carry. */
export interface TrailHead {
  readonly trail: string;
  readonly seq: number;
  readonly prev: string;
}

interface Pending {
  readonly line: string;
  readonly done: (error?: unknown) => void;
}

/**
 * The local trail, `<dir>/trail.jsonl`: append-only, one canonical entry a line, fsync'd
 * before an append resolves (appends waiting at the same time share one fsync). It is also
 * the outbox: mirrors replay from it what they have not confirmed, so it survives restarts.
 * After a restart the chain continues from the last whole line; a torn last line (a crash
 * mid-write, never acknowledged) is cut off. It also keeps the RFC 9162 Merkle tree over its
 * entries (each line, canonical as written, is a leaf), pruned to what the next signed tree
 * head needs: its root and a consistency proof from the last one.
 */
export class TrailFile {
  readonly path: string;
  /** The last entry on disk at open was not a checkpoint: a crash left entries no checkpoint covers. */
  readonly uncovered: boolean;
  readonly #handle: fs.FileHandle;
  #next: TrailHead;
  readonly #tree: MerkleTree;
  /** Size of the last signed tree head (a checkpoint's), undefined before the first. */
  #lastHead: number | undefined;
  #building: Promise<unknown> = Promise.resolve();
  #pending: Pending[] = [];
  #flushing = false;
  #failed: unknown;

  private constructor(
    path: string,
    handle: fs.FileHandle,
    next: TrailHead,
    uncovered: boolean,
    tree: { tree: MerkleTree; lastHead: number | undefined },
  ) {
    this.path = path;
    this.uncovered = uncovered;
    this.#handle = handle;
    this.#next = next;
    this.#tree = tree.tree;
    this.#lastHead = tree.lastHead;
  }

  static async open(dir: string, trailId?: string): Promise<TrailFile> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'trail.jsonl');
    const text = await fs.readFile(path, 'utf8').catch(() => '');
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    if (whole.length !== text.length) await fs.truncate(path, Buffer.byteLength(whole));
    const lines = whole.split('\n').filter(Boolean);
    const last = lines.length ? parseEntry(lines[lines.length - 1] ?? '') : undefined;
    if (typeof last === 'string')
      throw new GateError('AUDIT_INVALID', `${path}: the last entry is unreadable (${last})`);
    if (last && trailId && last.trail !== trailId)
      throw new GateError('AUDIT_INVALID', `${path} holds trail ${last.trail}, not ${trailId}`);
    const next: TrailHead = last
      ? { trail: last.trail, seq: last.seq + 1, prev: entryDigest(last) }
      : { trail: trailId ?? randomUUID(), seq: 0, prev: GENESIS };
    return new TrailFile(
      path,
      await fs.open(path, 'a', 0o600),
      next,
      last !== undefined && last.type !== 'checkpoint',
      treeOf(lines),
    );
  }

  /**
   * The signed tree head's content for everything appended so far; called from inside an
   * `append` build, so it covers exactly the entries before the one being built.
   */
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
      if (this.#failed !== undefined) throw this.#writeError(this.#failed);
      const entry = await build(this.#next);
      this.#next = { trail: entry.trail, seq: entry.seq + 1, prev: entryDigest(entry) };
      this.#tree.append(leafHash(Buffer.from(entryLine(entry), 'utf8')));
      if (entry.type === 'checkpoint') {
        this.#lastHead = entry.size;
        this.#tree.prune(entry.size);
      }
      return entry;
    });
    this.#building = built.catch(() => undefined);
    const entry = await built;
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ line: `${entryLine(entry)}\n`, done: (e) => (e ? reject(e) : resolve()) });
      void this.#flush();
    });
    return entry;
  }

  /** Every entry from `seq` on (the outbox of a mirror after a restart). */
  async readFrom(seq: number): Promise<{ entry: AuditEntry; line: string }[]> {
    const text = await fs.readFile(this.path, 'utf8');
    const out: { entry: AuditEntry; line: string }[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const entry = parseEntry(line);
      if (typeof entry !== 'string' && entry.seq >= seq) out.push({ entry, line });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#building;
    while (this.#flushing || this.#pending.length) await new Promise((r) => setTimeout(r, 5));
    await this.#handle.close();
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    while (this.#pending.length) {
      const batch = this.#pending.splice(0);
      try {
        if (this.#failed !== undefined) throw this.#failed;
        await this.#handle.appendFile(batch.map((p) => p.line).join(''));
        await this.#handle.sync();
        for (const p of batch) p.done();
      } catch (error) {
        // The file may now end in a partial line and memory is ahead of it: stop appending
        // rather than chain onto something that is not on disk.
        this.#failed = error;
        for (const p of batch) p.done(this.#writeError(error));
      }
    }
    this.#flushing = false;
  }

  #writeError(cause: unknown): GateError {
    return new GateError('AUDIT_WRITE', `the audit trail ${this.path} could not be written`, { cause });
  }
}

/** The tree over a trail's lines (canonical, as this file writes them), pruned at its last head. */
function treeOf(lines: readonly string[]): { tree: MerkleTree; lastHead: number | undefined } {
  const tree = new MerkleTree();
  let lastHead: number | undefined;
  for (const line of lines) {
    // Canonical JSON sorts members, so a checkpoint's line always holds this member.
    if (line.includes('"type":"checkpoint"')) {
      const entry = parseEntry(line);
      if (typeof entry !== 'string' && entry.type === 'checkpoint') lastHead = entry.size;
    }
    tree.append(leafHash(Buffer.from(line, 'utf8')));
  }
  if (lastHead !== undefined && lastHead <= tree.size) tree.prune(lastHead);
  return { tree, lastHead };
}
