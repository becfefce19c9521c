import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { prepareDirectory, writeFilesAtomically } from '../output/safe-write.ts';
import type { SignedIn } from './device-sign-in.ts';

/** A token this close to its expiry is not used: the service must still find it valid. */
const MARGIN_SECONDS = 60;

/**
 * The approver's ID token between commands: one file, 0600 in a 0700 directory, written
 * atomically without following links (src/output/safe-write.ts), used until it expires.
 */
export async function cachedToken(file: string, nowSeconds: number): Promise<string | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const cached = JSON.parse(text) as Partial<SignedIn>;
    const fresh = typeof cached.expiresAt === 'number' && cached.expiresAt - MARGIN_SECONDS > nowSeconds;
    return fresh && typeof cached.idToken === 'string' ? cached.idToken : undefined;
  } catch {
    return undefined;
  }
}

export async function keepToken(file: string, signedIn: SignedIn): Promise<void> {
  const dir = dirname(file);
  await prepareDirectory(dir);
  await writeFilesAtomically(dir, [{ name: file.slice(dir.length + 1), content: JSON.stringify(signedIn) }]);
}
