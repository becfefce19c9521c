import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GateError } from '../errors.ts';
import type { TrailSource } from './mirror.ts';

/** A trail as the bucket holds it: every object under the prefix, in key (= trail, seq) order. */
export function s3TrailSource(client: S3Client, bucket: string, prefix: string): TrailSource {
  return {
    async read() {
      const keys: string[] = [];
      try {
        let token: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
            { abortSignal: AbortSignal.timeout(30_000) },
          );
          for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        const lines: string[] = [];
        for (const Key of keys.sort()) {
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }), {
            abortSignal: AbortSignal.timeout(30_000),
          });
          lines.push((await object.Body?.transformToString('utf8')) ?? '');
        }
        return { lines, ordered: false, origin: `s3://${bucket}/${prefix}` };
      } catch (error) {
        throw new GateError('AUDIT_INVALID', `cannot read s3://${bucket}/${prefix}`, { cause: error });
      }
    },
  };
}
