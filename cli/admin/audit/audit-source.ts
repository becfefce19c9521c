import { fileTrailSource } from '../../../src/audit/file-source.ts';
import type { TrailSource } from '../../../src/audit/mirror.ts';
import { topicTrailSource } from '../../../src/audit/pulsar-mirror.ts';
import { auditS3Client } from '../../../src/audit/s3-client.ts';
import { s3TrailSource } from '../../../src/audit/s3-source.ts';
import { type TrailVerdict, verifyTrail } from '../../../src/audit/verify-trail.ts';
import { loadTrustedKeys } from '../../../src/keys/load-trusted-keys.ts';
import { systemClock } from '../../../src/time.ts';
import { openTransport } from '../../../src/transport/open.ts';
import type { Values } from '../../options/spec.ts';
import type { AUDIT_SOURCE_OPTIONS } from './audit-options.ts';

/** Reads the chosen source (audit-options.ts: exactly one) and verifies it with the trusted keys. */
export async function readVerifiedTrail(
  options: Values<typeof AUDIT_SOURCE_OPTIONS>,
): Promise<{ verdict: TrailVerdict; origin: string }> {
  const keys = await loadTrustedKeys(options.keys);
  let source: TrailSource;
  let close = async (): Promise<void> => undefined;
  if (options.file) source = fileTrailSource(options.file);
  else if (options.topic) {
    // AUDIT_SOURCE_RULES: a topic comes with a broker URL.
    const transport = openTransport({ url: options.pulsarUrl ?? '', token: options.pulsarToken });
    source = topicTrailSource(transport, options.topic, { clock: systemClock });
    close = () => transport.close();
  } else {
    const client = auditS3Client({
      region: options.s3Region,
      endpoint: options.s3Endpoint,
      forcePathStyle: options.s3ForcePathStyle,
    });
    source = s3TrailSource(client, options.s3Bucket ?? '', options.s3Prefix);
    close = async () => client.destroy();
  }
  try {
    const { lines, ordered, origin } = await source.read();
    return {
      verdict: await verifyTrail(lines, keys, { ordered, allowUnsignedTail: options.allowUnsignedTail }),
      origin,
    };
  } finally {
    await close();
  }
}
