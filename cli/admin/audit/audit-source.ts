import { fileTrailSource } from '../../../src/audit/file-source.ts';
import type { TrailSource } from '../../../src/audit/mirror.ts';
import { topicTrailSource } from '../../../src/audit/pulsar-mirror.ts';
import { auditS3Client } from '../../../src/audit/s3-client.ts';
import { s3TrailSource } from '../../../src/audit/s3-source.ts';
import { type TrailVerdict, verifyTrail } from '../../../src/audit/verify-trail.ts';
import { GateError } from '../../../src/errors.ts';
import { loadTrustedKeys } from '../../../src/keys/load-trusted-keys.ts';
import { systemClock } from '../../../src/time.ts';
import { openTransport } from '../../../src/transport/open.ts';
import type { AuditSourceOptions } from './audit-flags.ts';

/** Reads the chosen source and verifies it with the trusted keys. */
export async function readVerifiedTrail(
  options: AuditSourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ verdict: TrailVerdict; origin: string }> {
  const chosen = [options.file, options.topic, options.s3Bucket].filter(Boolean).length;
  if (chosen !== 1) throw new GateError('CONFIG_INVALID', 'name one source: --file, --topic or --s3-bucket');
  const keySpec = options.keys ?? env.DECISION_KEYS;
  if (!keySpec) throw new GateError('CONFIG_INVALID', '--keys: is required (or DECISION_KEYS)');
  const keys = await loadTrustedKeys(keySpec);
  let source: TrailSource;
  let close = async (): Promise<void> => undefined;
  if (options.file) source = fileTrailSource(options.file);
  else if (options.topic) {
    const url = options.pulsarUrl ?? env.PULSAR_URL;
    if (!url) throw new GateError('CONFIG_INVALID', '--pulsar-url: is required with --topic (or PULSAR_URL)');
    const transport = openTransport({ url, token: options.pulsarToken ?? env.PULSAR_TOKEN });
    source = topicTrailSource(transport, options.topic, { clock: systemClock });
    close = () => transport.close();
  } else {
    const prefix = options.s3Prefix ?? 'pulsar-gate/audit/';
    const client = auditS3Client({
      region: options.s3Region ?? 'us-east-1',
      endpoint: options.s3Endpoint,
      forcePathStyle: options.s3ForcePathStyle ?? false,
    });
    source = s3TrailSource(client, options.s3Bucket ?? '', prefix);
    close = async () => client.destroy();
  }
  try {
    const { lines, ordered, origin } = await source.read();
    return { verdict: await verifyTrail(lines, keys, { ordered }), origin };
  } finally {
    await close();
  }
}
