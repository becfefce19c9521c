import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { currentKeySet, ROOT_KEYS, storedKeySets } from '../keys/key-store.ts';
import { parseTrustedKeys, type TrustedKeys } from '../keys/trusted-keys.ts';
import { type RecordSeal, recordSeal } from './record-signing.ts';

/**
 * The approval-record seal of a `serve` process: the signing key in SIGNING_KEY_FILE, and
 * the newest key set stored beside it (`keys rotate` writes them there; docs/operations.md),
 * whose keys still in their grace period keep the records they sealed counting. A key file
 * deployed alone, with no key set beside it, trusts its own key only.
 */
export async function loadRecordSeal(signingKeyFile: string, now: () => number): Promise<RecordSeal> {
  const privateJwk = JSON.parse(await readFile(signingKeyFile, 'utf8'));
  return recordSeal(privateJwk, await keySetBeside(dirname(signingKeyFile)), now);
}

async function keySetBeside(dir: string): Promise<TrustedKeys | undefined> {
  const root = await readFile(join(dir, ROOT_KEYS)).then(
    () => true,
    () => false,
  );
  if (!root && (await storedKeySets(dir)).length === 0) return undefined;
  const set = await currentKeySet(dir);
  return parseTrustedKeys({ keys: set.keys }, `the key set v${set.version} in ${dir}`);
}

/**
 * A seal swapped whole on SIGHUP, as the signers are (src/service/signing-keys.ts): records are
 * then sealed with the new key and checked against the new set, by the same ApprovalsTopic.
 */
export function swappableSeal(initial: RecordSeal): {
  readonly port: RecordSeal;
  swap(next: RecordSeal): void;
} {
  let current = initial;
  return {
    port: {
      get kid() {
        return current.kid;
      },
      sign: (record) => current.sign(record),
      open: (jws) => current.open(jws),
    },
    swap: (next) => {
      current = next;
    },
  };
}
