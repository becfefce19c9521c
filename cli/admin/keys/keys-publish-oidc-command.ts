import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { GateError } from '../../../src/errors.ts';
import { readGateKeys } from '../../../src/keys/gate-keys.ts';
import { DISCOVERY_PATH, issuerDocuments, JWKS_PATH } from '../../../src/keys/issuer-documents.ts';
import { writeFilesAtomically } from '../../../src/output/safe-write.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { KEYS_PUBLISH_OIDC_OPTIONS } from './keys-options.ts';

/**
 * `pulsar-gate keys publish-oidc --issuer … --gate-keys … --out site/`: the gate issuer's
 * discovery document and JWKS as static files for an S3/CloudFront site, byte for byte what
 * `serve` answers (src/keys/issuer-documents.ts makes both). Public keys only.
 */
export async function keysPublishOidcCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('keys publish-oidc', 'keys', io.write, async () => {
    const options = mustRead(
      KEYS_PUBLISH_OIDC_OPTIONS,
      { flags, env: io.env },
      [],
      'keys publish-oidc options',
    );
    const { set } = await readGateKeys(options.gateKeys);
    const documents = issuerDocuments(options.issuer, set, Date.now());
    const files = [
      { path: DISCOVERY_PATH, content: documents.discovery },
      { path: JWKS_PATH, content: documents.jwks },
    ];
    for (const { path, content } of files) {
      const target = join(options.out, path);
      await fs.mkdir(dirname(target), { recursive: true }).catch((cause: unknown) => {
        throw new GateError('OUTPUT_WRITE', `cannot create ${dirname(target)}`, {
          cause,
          details: { path: '--out' },
        });
      });
      await writeFilesAtomically(dirname(target), [{ name: path.split('/').at(-1) ?? path, content }]);
      // Published documents: readable by whoever serves the site.
      await fs.chmod(target, 0o644);
      io.write(`✔ ${target}\n`);
    }
    io.write(`  upload ${options.out} so that ${options.issuer}${DISCOVERY_PATH} serves it\n`);
    return EXIT.allowed;
  });
}
