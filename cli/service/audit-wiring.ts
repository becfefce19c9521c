import type { S3Client } from '@aws-sdk/client-s3';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { CheckpointSigner } from '../../src/audit/checkpoint.ts';
import type { Mirror, TrailSource } from '../../src/audit/mirror.ts';
import { createPulsarMirror, topicTrailSource } from '../../src/audit/pulsar-mirror.ts';
import { auditS3Client } from '../../src/audit/s3-client.ts';
import { createS3Mirror, ensureLockedBucket } from '../../src/audit/s3-mirror.ts';
import { s3TrailSource } from '../../src/audit/s3-source.ts';
import { isGateError } from '../../src/errors.ts';
import { systemClock } from '../../src/time.ts';
import type { Transport } from '../../src/transport/transport.ts';
import type { AuditConfig } from './audit-config.ts';

/**
 * Opens the audit trail with its mirrors. The bucket must have Object Lock on (or is created
 * with it when configured); a bucket that answers without it stops the start, since an
 * allow for an audited environment could never be granted honestly. A local trail that
 * disagrees with the newest head in a mirror stops it too (issue 15 §2).
 */
export async function openAudit(
  config: AuditConfig,
  wiring: {
    /** Signs checkpoints; serve passes one that follows its key across SIGHUP. */
    signer: CheckpointSigner;
    transport: Transport;
    s3Client?: S3Client;
    log: (level: 'warn' | 'error', message: string) => void;
  },
): Promise<AuditLog> {
  const mirrors: Mirror[] = [];
  // The same stores read back: the local trail must agree with the newest head in each.
  const witnesses: TrailSource[] = [];
  if (config.topic) {
    mirrors.push(createPulsarMirror(wiring.transport, config.topic));
    witnesses.push(topicTrailSource(wiring.transport, config.topic, { clock: systemClock }));
  }
  if (config.s3) {
    const client = wiring.s3Client ?? auditS3Client(config.s3);
    await ensureLockedBucket(client, config.s3.bucket, config.s3.createBucket).catch((error: unknown) => {
      // Unreachable is not a reason to stay down: audited allows are denied until it answers,
      // and every put asks for COMPLIANCE mode, which a bucket without Object Lock refuses.
      if (!isGateError(error, 'AUDIT_UNAVAILABLE')) throw error;
      wiring.log('warn', `${error.message}: audited allows are denied until it answers`);
    });
    mirrors.push(
      createS3Mirror({
        client,
        bucket: config.s3.bucket,
        prefix: config.s3.prefix,
        retentionDays: config.s3.retentionDays,
        clock: systemClock,
      }),
    );
    witnesses.push(s3TrailSource(client, config.s3.bucket, config.s3.prefix));
  }
  return AuditLog.open({
    dir: config.dir,
    trailId: config.trailId,
    mirrors,
    witnesses,
    signer: wiring.signer,
    auditedEnvironments: config.auditedEnvironments,
    mirrorTimeoutMs: config.mirrorTimeoutMs,
    checkpointIntervalMs: config.checkpointIntervalMs,
    rotation: config.rotation,
    clock: systemClock,
    log: wiring.log,
  });
}
