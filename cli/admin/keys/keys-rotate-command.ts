import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { GateError } from '../../../src/errors.ts';
import { nextKeySet, signKeySet } from '../../../src/keys/key-set.ts';
import {
  AUDIT_KEYS,
  auditKeys,
  currentKeySet,
  keySetFile,
  readJson,
  SIGNING_KEY,
} from '../../../src/keys/key-store.ts';
import { generateServiceKey } from '../../../src/keys/service-keys.ts';
import { writeFilesAtomically } from '../../../src/output/safe-write.ts';
import { openTransport } from '../../../src/transport/open.ts';
import type { Io } from '../../io.ts';

export interface RotateOptions {
  readonly dir: string;
  readonly keysTopic: string;
  readonly pulsarUrl: string;
  readonly pulsarToken: string | undefined;
  readonly graceSeconds: number;
}

/**
 * `pulsar-gate keys rotate`: a new signing key, announced before it is used. The new set is
 * signed by the key in use and published on KEYS_TOPIC first; only once Pulsar has stored it
 * are the files switched, so a failed publish changes nothing. A running `serve` picks the new
 * key up on SIGHUP; the old key keeps verifying for the grace period.
 */
export async function keysRotateCommand(options: RotateOptions, io: Io): Promise<number> {
  try {
    const current = await currentKeySet(options.dir);
    const signing = signingKeyOf(await readJson(join(options.dir, SIGNING_KEY)));
    const active = current.keys.find((key) => key.kid === signing.kid && key.notAfter === undefined);
    if (active === undefined)
      throw new GateError(
        'KEYS_INVALID',
        `${SIGNING_KEY} (kid ${signing.kid}) is not an active key of key set v${current.version}`,
      );
    const alg = signing.alg === 'EdDSA' ? 'EdDSA' : 'ES256';
    const { privateJwk } = await generateServiceKey({ alg });
    const document = nextKeySet(current, privateJwk, Date.now(), options.graceSeconds * 1000);
    const jws = await signKeySet(document, signing);
    const transport = openTransport({ url: options.pulsarUrl, token: options.pulsarToken });
    try {
      const publisher = await transport.publisher(options.keysTopic);
      // One message key per version: topic compaction keeps every set of the chain.
      await publisher.publish({ payload: jws, key: `v${document.version}` });
    } finally {
      await transport.close();
    }
    const everKeys = await auditKeys(options.dir, document.keys);
    await writeFilesAtomically(options.dir, [
      { name: AUDIT_KEYS, content: `${JSON.stringify(everKeys, null, 2)}\n` },
      {
        name: `service-key-${signing.kid.slice(0, 16)}.json`,
        content: `${JSON.stringify(signing, null, 2)}\n`,
      },
      { name: keySetFile(document.version), content: `${jws}\n` },
      { name: SIGNING_KEY, content: `${JSON.stringify(privateJwk, null, 2)}\n` },
    ]);
    io.write(
      `✔ Key set v${document.version} announced on ${options.keysTopic}: signing key ${privateJwk.kid}\n`,
    );
    for (const key of document.keys.slice(1))
      io.write(`  ${key.kid} keeps verifying until ${String(key.notAfter)}\n`);
    io.write('  send SIGHUP to pulsar-gate serve to sign with the new key\n');
    return 0;
  } catch (error) {
    io.write(`✖ keys rotate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await fs.access(options.dir).catch(() => io.write(`  (${options.dir} does not exist)\n`));
    return error instanceof GateError && error.code.startsWith('PULSAR') ? 5 : 2;
  }
}

/** The stored private key, checked for what signing a key set needs (never echoed: it is secret). */
function signingKeyOf(value: unknown): JWK & { kid: string; alg: string } {
  if (
    typeof value === 'object' &&
    value !== null &&
    'kid' in value &&
    'alg' in value &&
    'd' in value &&
    typeof value.kid === 'string' &&
    typeof value.alg === 'string' &&
    typeof value.d === 'string'
  )
    return { ...value, kid: value.kid, alg: value.alg, d: value.d };
  throw new GateError('KEYS_INVALID', `${SIGNING_KEY} is not a private JWK with "kid" and "alg"`);
}
