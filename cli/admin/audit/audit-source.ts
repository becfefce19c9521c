import { fileTrailSource } from '../../../src/audit/file-source.ts';
import type { TrailSource } from '../../../src/audit/mirror.ts';
import { topicTrailSource } from '../../../src/audit/pulsar-mirror.ts';
import { auditS3Client } from '../../../src/audit/s3-client.ts';
import { s3TrailSource } from '../../../src/audit/s3-source.ts';
import { type TrailVerdict, verifyTrail } from '../../../src/audit/verify-trail.ts';
import { checkWitness, type WitnessedHead } from '../../../src/audit/witness.ts';
import { loadTrustedKeys } from '../../../src/keys/load-trusted-keys.ts';
import { systemClock } from '../../../src/time.ts';
import { openTransport } from '../../../src/transport/open.ts';
import type { Values } from '../../options/spec.ts';
import type { AUDIT_SOURCE_OPTIONS, Witness } from './audit-options.ts';

type Options = Values<typeof AUDIT_SOURCE_OPTIONS>;

/** What `audit verify` found, and the witness's newest heads the file was checked against. */
export interface VerifiedTrail {
  readonly verdict: TrailVerdict;
  readonly origin: string;
  readonly witnessed?: { readonly origin: string; readonly heads: readonly WitnessedHead[] };
}

/**
 * Reads the chosen source (audit-options.ts: exactly one) and verifies it with the trusted
 * keys; with `--witness`, an intact file is then held against the witness's signed heads.
 */
export async function readVerifiedTrail(options: Options): Promise<VerifiedTrail> {
  const keys = await loadTrustedKeys(options.keys);
  const main: Witness = options.file
    ? { kind: 'file', path: options.file }
    : options.topic
      ? { kind: 'topic', topic: options.topic }
      : { kind: 's3', bucket: options.s3Bucket ?? '', prefix: undefined };
  const { lines, ordered, origin } = await readSource(main, options);
  const verdict = await verifyTrail(lines, keys, { ordered, allowUnsignedTail: options.allowUnsignedTail });
  if (!verdict.ok || options.witness === undefined) return { verdict, origin };
  const witness = await readSource(options.witness, options);
  const held = await checkWitness(lines, witness.lines, { keys });
  if (!held.ok) return { verdict: held, origin: `${origin} against the witness ${witness.origin}` };
  return { verdict, origin, witnessed: { origin: witness.origin, heads: held.heads } };
}

/** Opens a file, topic or bucket, reads it whole and closes what it opened. */
async function readSource(
  where: Witness,
  options: Options,
): Promise<Awaited<ReturnType<TrailSource['read']>>> {
  if (where.kind === 'file') return fileTrailSource(where.path).read();
  if (where.kind === 'topic') {
    // AUDIT_SOURCE_RULES: a topic (source or witness) comes with a broker URL.
    const transport = openTransport({ url: options.pulsarUrl ?? '', token: options.pulsarToken });
    try {
      return await topicTrailSource(transport, where.topic, { clock: systemClock }).read();
    } finally {
      await transport.close();
    }
  }
  const client = auditS3Client({
    region: options.s3Region,
    endpoint: options.s3Endpoint,
    forcePathStyle: options.s3ForcePathStyle,
  });
  try {
    return await s3TrailSource(client, where.bucket, where.prefix ?? options.s3Prefix).read();
  } finally {
    client.destroy();
  }
}
