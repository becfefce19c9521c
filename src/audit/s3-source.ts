import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { GateError } from '../errors.ts';
import type { TrailSource } from './mirror.ts';

/**
 * A trail as the bucket holds it: every stored version of every object under the prefix.
 * A second version under one key (someone wrote over it without the create-only
 * condition) is read too, so verify sees two entries with one seq and refuses the trail;
 * a key whose latest version is a delete marker counts as missing, so verify names the gap
 * (the locked version underneath is still there for the investigation).
 */
export function s3TrailSource(client: S3Client, bucket: string, prefix: string): TrailSource {
  const signal = () => ({ abortSignal: AbortSignal.timeout(30_000) });
  return {
    async read() {
      const versions = new Map<string, string[]>();
      const hidden = new Set<string>();
      try {
        let keyMarker: string | undefined;
        let versionMarker: string | undefined;
        do {
          const page = await client.send(
            new ListObjectVersionsCommand({
              Bucket: bucket,
              Prefix: prefix,
              KeyMarker: keyMarker,
              VersionIdMarker: versionMarker,
            }),
            signal(),
          );
          for (const v of page.Versions ?? [])
            if (v.Key?.endsWith('.json') && v.VersionId)
              versions.set(v.Key, [...(versions.get(v.Key) ?? []), v.VersionId]);
          for (const marker of page.DeleteMarkers ?? [])
            if (marker.IsLatest && marker.Key) hidden.add(marker.Key);
          keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
          versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
        } while (keyMarker);
        const lines: string[] = [];
        for (const [Key, ids] of [...versions].sort(([a], [b]) => (a < b ? -1 : 1))) {
          if (hidden.has(Key)) continue;
          for (const VersionId of ids) {
            const object = await client.send(
              new GetObjectCommand({ Bucket: bucket, Key, VersionId }),
              signal(),
            );
            lines.push((await object.Body?.transformToString('utf8')) ?? '');
          }
        }
        return { lines, ordered: false, origin: `s3://${bucket}/${prefix}` };
      } catch (error) {
        throw new GateError('AUDIT_INVALID', `cannot read s3://${bucket}/${prefix}`, { cause: error });
      }
    },
  };
}
