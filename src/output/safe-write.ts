import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../errors.ts';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Creates `dir` (mode 0700) unless it exists as a real directory. A symlink or a file in
 * its place is refused: a planted link must never redirect where credentials go.
 */
export async function prepareDirectory(dir: string, owner?: Owner): Promise<void> {
  const existing = await fs.lstat(dir).catch(() => undefined);
  if (existing?.isSymbolicLink())
    throw unsafe(`OUTPUT_DIR ${dir} is a symbolic link; refusing to write credentials through it`);
  if (existing && !existing.isDirectory()) throw unsafe(`OUTPUT_DIR ${dir} exists and is not a directory`);
  if (!existing)
    await fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch((cause: unknown) => failed(dir, cause));
  await fs.chmod(dir, 0o700).catch((cause: unknown) => failed(dir, cause));
  if (owner) await fs.chown(dir, owner.uid, owner.gid).catch((cause: unknown) => failed(dir, cause));
}

/**
 * Writes every file or none: each goes to a fresh temporary name (O_EXCL | O_NOFOLLOW,
 * mode 0600) and only when all are written are they renamed into place. rename(2)
 * replaces a link at the target name instead of following it. The files are independent,
 * so they are staged side by side (the pipe's last step before its verdict, bench/).
 */
export async function writeFilesAtomically(
  dir: string,
  files: ReadonlyArray<{ name: string; content: string }>,
  owner?: Owner,
): Promise<string[]> {
  const plan = files.map((file) => ({
    ...file,
    temp: join(dir, `.${file.name}.${randomBytes(6).toString('hex')}.tmp`),
    target: join(dir, file.name),
  }));
  const created = new Set<string>();
  const stage = async ({ temp, content }: (typeof plan)[number]): Promise<void> => {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const handle = await fs.open(temp, flags, 0o600);
    created.add(temp);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(0o600);
      if (owner) await handle.chown(owner.uid, owner.gid);
      // No fsync: rename(2) already makes the set appear whole or not at all while the
      // machine runs, and a step whose machine dies is failed anyway.
    } finally {
      await handle.close();
    }
  };
  try {
    const staged = await Promise.allSettled(plan.map(stage));
    const failure = staged.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    await Promise.all(plan.map(({ temp, target }) => fs.rename(temp, target)));
    return plan.map((file) => file.target);
  } catch (cause) {
    await Promise.allSettled([...created].map((temp) => fs.unlink(temp)));
    if (cause instanceof GateError) throw cause;
    return failed(dir, cause);
  }
}

function unsafe(message: string): GateError {
  return new GateError('OUTPUT_UNSAFE', message, { details: { path: 'output directory' } });
}

function failed(dir: string, cause: unknown): never {
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : 'error';
  throw new GateError('OUTPUT_WRITE', `cannot write to OUTPUT_DIR ${dir} (${code})`, { cause });
}
