import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/**
 * How far a mirror got: the last seq it confirmed, kept in `<dir>/mirrored-<name>` so that
 * after a restart only what it had not confirmed is sent again.
 */
export const cursorFile = (dir: string, name: string): string => join(dir, `mirrored-${name}`);

/** The last seq this mirror confirmed in a previous run; -1 when none (or unreadable). */
export async function readCursor(dir: string, name: string): Promise<number> {
  const text = await fs.readFile(cursorFile(dir, name), 'utf8').catch(() => '-1');
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n >= -1 ? n : -1;
}

/** Written whole or not at all (rename); losing it only means sending some entries again. */
export async function saveCursor(file: string, seq: number): Promise<void> {
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, String(seq), { mode: 0o600 });
  await fs.rename(temp, file);
}
