import type { CryptoKey } from 'jose';
import type { DecryptionKeyLookup } from '../jose/decrypt.ts';
import type { DecryptionKeyring } from '../keys/decryption-keys.ts';
import { printable } from '../lib/printable.ts';
import type { Clock } from '../time.ts';

export interface TokenKeys {
  /** The key for a JWE's `kid`: held, and not past its `notAfter`. */
  readonly lookup: DecryptionKeyLookup;
  /** Replaces the keyring (SIGHUP). */
  swap(next: DecryptionKeyring): void;
  readonly kids: () => readonly string[];
}

/**
 * The service's decryption keys, as `serve` holds them. `keys rotate` writes the new key into
 * the keyring before it announces the set that publishes it, so a pipe may encrypt to it
 * before anyone sends SIGHUP: an unknown `kid` re-reads the file (one read at a time, so a
 * flood of made-up kids costs one small read each) before the request is refused. A key past
 * its `notAfter` is retired: refused, whatever the file still holds.
 */
export function tokenKeys(
  initial: DecryptionKeyring,
  options: {
    readonly clock: Clock;
    readonly reload: () => Promise<DecryptionKeyring>;
    readonly log: (message: string) => void;
  },
): TokenKeys {
  let ring = initial;
  let reloading: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    reloading ??= options
      .reload()
      .then((next) => {
        ring = next;
      })
      .catch((error: unknown) =>
        options.log(`encryption keys reload failed, keeping the keys in force: ${messageOf(error)}`),
      )
      .finally(() => {
        reloading = undefined;
      });
    return reloading;
  };
  return {
    lookup: async (kid): Promise<CryptoKey | { readonly refused: string }> => {
      if (!ring.keys.has(kid)) await reload();
      const held = ring.keys.get(kid);
      if (held === undefined)
        return { refused: `kid ${printable(kid)} is not an encryption key of this service` };
      if (held.notAfter !== undefined && held.notAfter <= options.clock.now())
        return { refused: `kid ${printable(kid)} was retired at ${new Date(held.notAfter).toISOString()}` };
      return held.key;
    },
    swap: (next) => {
      ring = next;
    },
    kids: () => [...ring.keys.keys()],
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
