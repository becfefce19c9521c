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
import { parseTopic } from '../../../src/transport/topic.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { KEYS_ROTATE_OPTIONS } from './keys-options.ts';

/**
 * `pulsar-gate keys rotate`: a new signing key, announced before it is used. The new set is
 * signed by the key in use and published on KEYS_TOPIC first; only once Pulsar has stored it
 * are the files switched, so a failed publish changes nothing. A running `serve` picks the new
 * key up on SIGHUP; the old key keeps verifying for the grace period.
 */
export async function keysRotateCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('keys rotate', 'keys', io.write, async () => {
    const options = mustRead(KEYS_ROTATE_OPTIONS, { flags, env: io.env }, [], 'keys rotate options');
    // A missing directory is the commonest mistake: say so, rather than what reading it threw.
    await fs.access(options.dir).catch((cause: unknown) => {
      const why = cause instanceof Error && 'code' in cause ? String(cause.code) : 'unreadable';
      throw new GateError('KEYS_UNAVAILABLE', `cannot read the keys directory ${options.dir} (${why})`, {
        cause,
      });
    });
    // Pipes compare full names: announce on the full name whatever form was given.
    const keysTopic = parseTopic(options.keysTopic).full;
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
      const publisher = await transport.publisher(keysTopic);
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
    io.write(`✔ Key set v${document.version} announced on ${keysTopic}: signing key ${privateJwk.kid}\n`);
    for (const key of document.keys.slice(1))
      io.write(`  ${key.kid} keeps verifying until ${String(key.notAfter)}\n`);
    io.write('  send SIGHUP to pulsar-gate-service serve to sign with the new key\n');
    return EXIT.allowed;
  });
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
