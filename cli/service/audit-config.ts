import { join } from 'node:path';
import type { Values } from '../options/spec.ts';
import type { AUDIT_OPTIONS } from './audit-options.ts';

/** The audit trail's part of `serve`'s configuration (docs/service.md, "Audit trail"). */
export interface AuditConfig {
  /** `<STATE_DIR>/audit`: the local trail (also the mirrors' outbox) and their cursors. */
  readonly dir: string;
  readonly trailId: string | undefined;
  readonly auditedEnvironments: readonly string[];
  readonly topic: string | undefined;
  readonly s3:
    | {
        readonly bucket: string;
        readonly prefix: string;
        readonly region: string;
        readonly endpoint: string | undefined;
        readonly forcePathStyle: boolean;
        readonly retentionDays: number;
        readonly createBucket: boolean;
      }
    | undefined;
  readonly mirrorTimeoutMs: number;
  readonly checkpointIntervalMs: number;
  /** When the trail file starts a new segment (issue 15 §5); 0: never. */
  readonly rotation: { readonly bytes: number; readonly ms: number };
}

type AuditValues = Values<typeof AUDIT_OPTIONS>;

/** Undefined without STATE_DIR: the trail and its outbox live there. */
export function auditConfigOf(values: AuditValues, stateDir: string | undefined): AuditConfig | undefined {
  if (stateDir === undefined) return undefined;
  const prefix = values.auditS3Prefix;
  return Object.freeze({
    dir: join(stateDir, 'audit'),
    trailId: values.auditTrailId,
    auditedEnvironments: values.auditedEnvironments,
    topic: values.auditTopic,
    s3:
      values.auditS3Bucket === undefined
        ? undefined
        : Object.freeze({
            bucket: values.auditS3Bucket,
            prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
            region: values.auditS3Region,
            endpoint: values.auditS3Endpoint,
            forcePathStyle: values.auditS3ForcePathStyle,
            retentionDays: values.auditS3RetentionDays,
            createBucket: values.auditS3CreateBucket,
          }),
    mirrorTimeoutMs: values.auditMirrorTimeoutSeconds * 1000,
    checkpointIntervalMs: values.auditCheckpointIntervalSeconds * 1000,
    rotation: Object.freeze({ bytes: values.auditRotateBytes, ms: values.auditRotateSeconds * 1000 }),
  });
}
