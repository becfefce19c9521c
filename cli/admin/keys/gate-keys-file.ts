import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { MAX_GATE_TOKEN_SECONDS } from '../../../src/events/gate-token.ts';
import {
  GATE_KEYS,
  type GateKeySet,
  importGateKeys,
  readGateKeys,
  rotateGateKeys,
} from '../../../src/keys/gate-keys.ts';
import { generateGateKey, generateGateKeySet } from '../../../src/keys/service-keys.ts';
import { writeFilesAtomically } from '../../../src/output/safe-write.ts';
import type { Io } from '../../io.ts';
import { EXIT } from '../../outcome/exit.ts';

/**
 * `keys generate --gate`: a new gate-issuer key set (current + next), or, when one exists,
 * one rotation step — next becomes current, a fresh next is published, and the old current
 * key stays in the JWKS (public only) until its last token expired. Run `serve`'s SIGHUP and
 * `keys publish-oidc` after it (README, "Enforce the gate").
 */
export async function writeGateKeys(dir: string, io: Io): Promise<number> {
  const file = join(dir, GATE_KEYS);
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  const set: GateKeySet = exists
    ? rotateGateKeys(
        (await readGateKeys(file)).set,
        await generateGateKey(),
        Date.now(),
        MAX_GATE_TOKEN_SECONDS,
      )
    : await generateGateKeySet();
  // Never write a set `serve` would refuse.
  await importGateKeys(set, file);
  await writeFilesAtomically(dir, [{ name: GATE_KEYS, content: `${JSON.stringify(set, null, 2)}\n` }]);
  io.write(
    `✔ ${exists ? 'Rotated the' : 'New'} gate-issuer key set: signing with ${set.current.kid}, next ${set.next?.kid}${exists ? `, ${set.retired.length} retired key(s) published until their tokens expire` : ''}\n`,
  );
  io.write(`  private gate-issuer keys (keep secret, GATE_KEYS_FILE for serve): ${file}\n`);
  return EXIT.allowed;
}
