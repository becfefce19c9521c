import { S3Client } from '@aws-sdk/client-s3';

/** Where the audit bucket is: enough to build a client for it. */
export interface AuditBucketAddress {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly forcePathStyle: boolean;
}

/** The S3 client for the audit bucket: the SDK's own credential chain, our retries only. */
export function auditS3Client(s3: AuditBucketAddress): S3Client {
  return new S3Client({
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    maxAttempts: 1,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
  });
}
