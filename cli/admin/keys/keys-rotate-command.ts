import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { GateError } from '../../../src/errors.ts';
import { keyringFor } from '../../../src/keys/decryption-keys.ts';
import { nextKeySet, signKeySet } from '../../../src/keys/key-set.ts';
import {
  AUDIT_KEYS,
  auditKeys,
  currentKeySet,
  ENCRYPTION_KEYS,
  keySetFile,
  readJson,
  readJwksIfAny,
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
 * `pulsar-gate keys rotate`: a new signing key and a new encryption key, announced before they
 * are used. The new set is signed by the key in use and published on KEYS_TOPIC first; only
 * once Pulsar has stored it are the signing files switched, so a failed publish changes
 * nothing. The one exception is the service's keyring, which gains the new encryption key
 * before the announcement: pipes encrypt to it as soon as they read the set, and `serve` must
 * already be able to decrypt (it re-reads the keyring on an unknown `kid`). A running `serve`
 * signs with the new key on SIGHUP; the old keys keep verifying and decrypting for the grace
 * period.
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
    const { privateJwk, encryptionJwk } = await generateServiceKey({ alg });
    const document = nextKeySet(
      current,
      [privateJwk, encryptionJwk],
      Date.now(),
      options.graceSeconds * 1000,
    );
    const jws = await signKeySet(document, signing);
    // Staged: an extra private key that nobody knows the public half of yet is harmless if
    // the publish fails (the next rotation drops it, keyringFor).
    const held = [encryptionJwk, ...(await readJwksIfAny(join(options.dir, ENCRYPTION_KEYS)))];
    await writeFilesAtomically(options.dir, [{ name: ENCRYPTION_KEYS, content: jwksText({ keys: held }) }]);
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
      { name: ENCRYPTION_KEYS, content: jwksText(keyringFor(document.keys, held)) },
      { name: AUDIT_KEYS, content: `${JSON.stringify(everKeys, null, 2)}\n` },
      {
        name: `service-key-${signing.kid.slice(0, 16)}.json`,
        content: `${JSON.stringify(signing, null, 2)}\n`,
      },
      { name: keySetFile(document.version), content: `${jws}\n` },
      { name: SIGNING_KEY, content: `${JSON.stringify(privateJwk, null, 2)}\n` },
    ]);
    io.write(
      `✔ Key set v${document.version} announced on ${keysTopic}: signing key ${privateJwk.kid}, encryption key ${encryptionJwk.kid}\n`,
    );
    for (const key of document.keys.slice(2))
      io.write(
        `  ${key.kid} keeps ${key.use === 'enc' ? 'decrypting' : 'verifying'} until ${String(key.notAfter)}\n`,
      );
    io.write('  send SIGHUP to pulsar-gate-service serve to sign with the new key\n');
    return EXIT.allowed;
  });
}

const jwksText = (jwks: { keys: readonly JWK[] }): string => `${JSON.stringify(jwks, null, 2)}\n`;

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
