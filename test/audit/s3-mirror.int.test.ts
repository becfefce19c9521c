import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEntry } from '../../src/audit/entry.ts';
import { createS3Mirror, ensureLockedBucket, entryKey } from '../../src/audit/s3-mirror.ts';
import { s3TrailSource } from '../../src/audit/s3-source.ts';
import { verifyTrail } from '../../src/audit/verify-trail.ts';
import { isGateError } from '../../src/errors.ts';
import { type S3Peer, startS3 } from '../peers/s3/moto.ts';
import { writeTrail } from './trail-fixture.ts';

let s3: S3Peer;
let client: S3Client;
beforeAll(async () => {
  s3 = await startS3(inject('motoServer'));
  client = s3.client();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

async function mirrored(bucket: string, prefix = 'audit/') {
  await ensureLockedBucket(client, bucket, true);
  const trail = await writeTrail(5, 2);
  const mirror = createS3Mirror({
    client,
    bucket,
    prefix,
    retentionDays: 1,
    clock: { now: () => Date.now() },
  });
  for (const line of trail.lines) {
    const entry = parseEntry(line);
    if (typeof entry === 'string') throw new Error(entry);
    await mirror.put(entry, line, Date.now() + 10_000);
  }
  return { trail, mirror, prefix };
}

describe('S3 mirror with Object Lock (real moto server)', () => {
  it('creates the bucket with Object Lock and writes each entry locked in COMPLIANCE mode', async () => {
    const { trail } = await mirrored('audit-lock-mode');
    const first = parseEntry(trail.lines[0] ?? '');
    if (typeof first === 'string') throw new Error(first);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'audit-lock-mode', Key: entryKey('audit/', first) }),
    );
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    const until = head.ObjectLockRetainUntilDate?.getTime() ?? 0;
    expect(Math.abs(until - (Date.now() + 86_400_000))).toBeLessThan(60_000);
  });

  it('Object Lock refuses to delete a record version, even for the bucket owner', async () => {
    const { trail } = await mirrored('audit-no-delete');
    const entry = parseEntry(trail.lines[1] ?? '');
    if (typeof entry === 'string') throw new Error(entry);
    const Key = entryKey('audit/', entry);
    const versions = await client.send(
      new ListObjectVersionsCommand({ Bucket: 'audit-no-delete', Prefix: Key }),
    );
    const VersionId = versions.Versions?.[0]?.VersionId;
    expect(VersionId).toBeTruthy();
    const refusal = await client
      .send(
        new DeleteObjectCommand({
          Bucket: 'audit-no-delete',
          Key,
          VersionId,
          BypassGovernanceRetention: true,
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } },
      );
    expect(refusal?.name).toBe('AccessDenied');
    expect(refusal?.$metadata.httpStatusCode).toBe(403);
    const still = await client.send(new GetObjectCommand({ Bucket: 'audit-no-delete', Key, VersionId }));
    expect(await still.Body?.transformToString()).toBe(trail.lines[1]);
  });

  it('the bucket verifies; hiding a record behind a delete marker is found as a gap', async () => {
    const { trail, prefix } = await mirrored('audit-verify');
    const source = s3TrailSource(client, 'audit-verify', prefix);
    expect((await verifyTrail((await source.read()).lines, trail.keys, { ordered: false })).ok).toBe(true);
    const entry = parseEntry(trail.lines[3] ?? '');
    if (typeof entry === 'string') throw new Error(entry);
    // Without a version id S3 only stacks a delete marker: the locked version stays.
    await client.send(new DeleteObjectCommand({ Bucket: 'audit-verify', Key: entryKey(prefix, entry) }));
    const result = await verifyTrail((await source.read()).lines, trail.keys, { ordered: false });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.broken.reason).toBe(
        `seq ${entry.seq} missing: seq ${entry.seq + 1} follows seq ${entry.seq - 1}`,
      );
  });

  it('a forged version written over a record (without the create-only condition) is found', async () => {
    const { trail, prefix } = await mirrored('audit-overwrite');
    const entry = parseEntry(trail.lines[1] ?? '');
    if (typeof entry === 'string') throw new Error(entry);
    await client.send(
      new PutObjectCommand({
        Bucket: 'audit-overwrite',
        Key: entryKey(prefix, entry),
        Body: (trail.lines[1] ?? '').replace('"allow"', '"deny"'),
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const source = s3TrailSource(client, 'audit-overwrite', prefix);
    const result = await verifyTrail((await source.read()).lines, trail.keys, { ordered: false });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.broken.reason).toMatch(`seq ${entry.seq} is stored twice with different content`);
  });

  it('writing an entry again is harmless; another entry under its key is refused', async () => {
    const { trail, mirror, prefix } = await mirrored('audit-idempotent');
    const entry = parseEntry(trail.lines[1] ?? '');
    if (typeof entry === 'string') throw new Error(entry);
    await mirror.put(entry, trail.lines[1] ?? '', Date.now() + 10_000);
    const forged = (trail.lines[1] ?? '').replace('"allow"', '"deny"');
    const error = await mirror.put(entry, forged, Date.now() + 10_000).catch((e: unknown) => e);
    expect(isGateError(error, 'AUDIT_INVALID')).toBe(true);
    expect(mirror.retryable(error)).toBe(false);
    // And a plain overwrite attempt by someone else cannot replace it either (create-only).
    const overwrite = await client
      .send(
        new PutObjectCommand({
          Bucket: 'audit-idempotent',
          Key: entryKey(prefix, entry),
          Body: forged,
          IfNoneMatch: '*',
          ChecksumAlgorithm: 'SHA256',
        }),
      )
      .catch((e: unknown) => e as { name: string });
    expect((overwrite as { name?: string }).name).toBe('PreconditionFailed');
  });

  it('an unreachable S3 is a retryable failure', async () => {
    const { trail, mirror } = await mirrored('audit-outage');
    const entry = parseEntry(trail.lines[0] ?? '');
    if (typeof entry === 'string') throw new Error(entry);
    await s3.down();
    try {
      const error = await mirror
        .put({ ...entry, seq: 99 }, trail.lines[0] ?? '', Date.now() + 3_000)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(mirror.retryable(error)).toBe(true);
    } finally {
      await s3.up();
    }
  });
});
