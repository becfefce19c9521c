import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GateError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { AuditEntry } from './entry.ts';
import type { Mirror } from './mirror.ts';

export interface S3MirrorOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix, ending in `/` or empty. */
  readonly prefix: string;
  /** How long each object stays locked in compliance mode. */
  readonly retentionDays: number;
  readonly clock: Clock;
}

/** `<prefix><trail>/<seq, 12 digits>.json`: listing a trail's keys lists it in seq order. */
export const entryKey = (prefix: string, entry: Pick<AuditEntry, 'trail' | 'seq'>): string =>
  `${prefix}${entry.trail}/${String(entry.seq).padStart(12, '0')}.json`;

/**
 * Each entry as one object under S3 Object Lock in COMPLIANCE mode with its own retain-until
 * date: until then no one, the bucket owner and root included, can delete or overwrite that
 * version (S3 User Guide, "Locking objects with Object Lock"). `If-None-Match: *` makes the
 * write create-only, so a retry never stacks a second version on a key; a key that already
 * holds the same bytes counts as written.
 */
export function createS3Mirror(options: S3MirrorOptions): Mirror {
  const { client, bucket, prefix } = options;
  return {
    name: 's3',
    async put(entry, line, deadline) {
      const Key = entryKey(prefix, entry);
      const abortSignal = AbortSignal.timeout(Math.max(1, deadline - options.clock.now()));
      const retainUntil = new Date(options.clock.now() + options.retentionDays * 86_400_000);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key,
            Body: line,
            ContentType: 'application/json',
            IfNoneMatch: '*',
            ObjectLockMode: 'COMPLIANCE',
            ObjectLockRetainUntilDate: retainUntil,
            // Object Lock writes need an integrity check (Content-MD5 or a checksum).
            ChecksumAlgorithm: 'SHA256',
          }),
          { abortSignal },
        );
      } catch (error) {
        if (status(error) !== 412) throw error;
        const held = await client.send(new GetObjectCommand({ Bucket: bucket, Key }), { abortSignal });
        if ((await held.Body?.transformToString('utf8')) !== line)
          throw new GateError('AUDIT_INVALID', `s3://${bucket}/${Key} already holds another entry`);
      }
    },
    retryable(error) {
      if (error instanceof GateError) return false;
      const code = status(error);
      return code === undefined || code === 429 || code >= 500;
    },
    async close() {
      client.destroy();
    },
  };
}

/**
 * Checks the bucket is there with Object Lock on; creates it with Object Lock when asked
 * (Object Lock can only be turned on at creation for this to be sure of every object).
 */
export async function ensureLockedBucket(client: S3Client, bucket: string, create: boolean): Promise<void> {
  const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    (error: unknown) => {
      if (status(error) === 404) return false;
      throw new GateError('AUDIT_UNAVAILABLE', `S3 bucket ${bucket} cannot be reached`, { cause: error });
    },
  );
  if (!exists) {
    if (!create)
      throw new GateError(
        'CONFIG_INVALID',
        `AUDIT_S3_BUCKET: bucket ${bucket} does not exist (AUDIT_S3_CREATE_BUCKET=true creates it)`,
      );
    await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  }
  const lock = await client
    .send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))
    .catch(() => undefined);
  if (lock?.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled')
    throw new GateError(
      'CONFIG_INVALID',
      `AUDIT_S3_BUCKET: bucket ${bucket} does not have Object Lock enabled`,
    );
}

export function status(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}
