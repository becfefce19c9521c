import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../../../src/errors.ts';
import { ENCRYPTION_KEYS, ROOT_KEYS, readJwksIfAny, SIGNING_KEY } from '../../../src/keys/key-store.ts';
import { generateServiceKey } from '../../../src/keys/service-keys.ts';
import { writeFilesAtomically } from '../../../src/output/safe-write.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { writeGateKeys } from './gate-keys-file.ts';
import { KEYS_GENERATE_OPTIONS } from './keys-options.ts';

/**
 * `pulsar-gate keys generate`: the private signing JWK and the private encryption keys for
 * `serve`, and the public JWKS for DECISION_KEYS (both keys' public halves).
 */
export async function keysGenerateCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('keys generate', 'keys', io.write, async () => {
    const options = mustRead(KEYS_GENERATE_OPTIONS, { flags, env: io.env }, [], 'keys generate options');
    await fs.mkdir(options.out, { recursive: true, mode: 0o700 }).catch((cause: unknown) => {
      throw new GateError('OUTPUT_WRITE', `cannot create ${options.out}`, {
        cause,
        details: { path: '--out' },
      });
    });
    if (options.gate) return writeGateKeys(options.out, io);
    const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey({ alg: options.alg });
    const previous = options.add ? await readJwksIfAny(join(options.out, ROOT_KEYS)) : [];
    // --add keeps old signing keys verifying; pipes encrypt to the new encryption key only, and
    // the service keeps decrypting with the old ones (they stay in its keyring).
    const isEnc = (key: unknown) =>
      typeof key === 'object' && key !== null && 'use' in key && key.use === 'enc';
    const jwks = { keys: [...previous.filter((key) => !isEnc(key)), ...publicJwks.keys] };
    const held = options.add ? await readJwksIfAny(join(options.out, ENCRYPTION_KEYS)) : [];
    const keyring = { keys: [encryptionJwk, ...held] };
    if (options.add) await keepPrevious(options.out);
    await writeFilesAtomically(options.out, [
      { name: SIGNING_KEY, content: `${JSON.stringify(privateJwk, null, 2)}\n` },
      { name: ENCRYPTION_KEYS, content: `${JSON.stringify(keyring, null, 2)}\n` },
      { name: ROOT_KEYS, content: `${JSON.stringify(jwks, null, 2)}\n` },
    ]);
    // The public set is meant to be shared; only the private keys stay 0600.
    await fs.chmod(
      join(options.out, ROOT_KEYS),
      constants.S_IRUSR | constants.S_IWUSR | constants.S_IRGRP | constants.S_IROTH,
    );
    io.write(`✔ New ${options.alg} key ${privateJwk.kid}, encryption key ${encryptionJwk.kid}\n`);
    io.write(
      `  private signing key (keep secret, for pulsar-gate-service serve): ${join(options.out, SIGNING_KEY)}\n`,
    );
    io.write(
      `  private encryption keys (keep secret, for pulsar-gate-service serve): ${join(options.out, ENCRYPTION_KEYS)}\n`,
    );
    io.write(
      `  public JWKS (${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'}, for DECISION_KEYS): ${join(options.out, ROOT_KEYS)}\n`,
    );
    return EXIT.allowed;
  });
}

/** Rotation: the signing key in use moves aside (still on disk) before the new one takes its name. */
async function keepPrevious(dir: string): Promise<void> {
  const current = join(dir, SIGNING_KEY);
  const text = await fs.readFile(current, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const kid = String((JSON.parse(text) as { kid?: unknown }).kid ?? Date.now())
    .replace(/[^\w-]/g, '')
    .slice(0, 16);
  await fs.rename(current, join(dir, `service-key-${kid}.json`));
}
