import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../../../src/errors.ts';
import { generateServiceKey } from '../../../src/keys/service-keys.ts';
import { writeFilesAtomically } from '../../../src/output/safe-write.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { KEYS_GENERATE_OPTIONS } from './keys-options.ts';

/** `pulsar-gate keys generate`: a private JWK for `serve`, a public JWKS for DECISION_KEYS. */
export async function keysGenerateCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('keys generate', 'keys', io.write, async () => {
    const options = mustRead(KEYS_GENERATE_OPTIONS, { flags, env: io.env }, [], 'keys generate options');
    await fs.mkdir(options.out, { recursive: true, mode: 0o700 }).catch((cause: unknown) => {
      throw new GateError('OUTPUT_WRITE', `cannot create ${options.out}`, {
        cause,
        details: { path: '--out' },
      });
    });
    const { privateJwk, publicJwks } = await generateServiceKey({ alg: options.alg });
    const previous = options.add ? await readJwks(join(options.out, 'decision-keys.json')) : [];
    const jwks = { keys: [...previous, ...publicJwks.keys] };
    const privateName = 'service-key.json';
    if (options.add) await keepPrevious(options.out);
    await writeFilesAtomically(options.out, [
      { name: privateName, content: `${JSON.stringify(privateJwk, null, 2)}\n` },
      { name: 'decision-keys.json', content: `${JSON.stringify(jwks, null, 2)}\n` },
    ]);
    // The public set is meant to be shared; only the private key stays 0600.
    await fs.chmod(
      join(options.out, 'decision-keys.json'),
      constants.S_IRUSR | constants.S_IWUSR | constants.S_IRGRP | constants.S_IROTH,
    );
    io.write(`✔ New ${options.alg} key ${privateJwk.kid}\n`);
    io.write(
      `  private key (keep secret, for pulsar-gate-service serve): ${join(options.out, privateName)}\n`,
    );
    io.write(
      `  public JWKS (${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'}, for DECISION_KEYS): ${join(options.out, 'decision-keys.json')}\n`,
    );
    return EXIT.allowed;
  });
}

async function readJwks(path: string): Promise<unknown[]> {
  const text = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new GateError('KEYS_INVALID', `${path} is not JSON`, { cause });
  }
  if (typeof parsed === 'object' && parsed !== null && 'keys' in parsed && Array.isArray(parsed.keys))
    return parsed.keys;
  throw new GateError('KEYS_INVALID', `${path} is not a JWKS`);
}

/** Rotation: the signing key in use moves aside (still on disk) before the new one takes its name. */
async function keepPrevious(dir: string): Promise<void> {
  const current = join(dir, 'service-key.json');
  const text = await fs.readFile(current, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const kid = String((JSON.parse(text) as { kid?: unknown }).kid ?? Date.now())
    .replace(/[^\w-]/g, '')
    .slice(0, 16);
  await fs.rename(current, join(dir, `service-key-${kid}.json`));
}
