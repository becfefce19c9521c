import { boolean, integer, list, matching, text, topic, url } from '../options/parsers.ts';
import { options } from '../options/spec.ts';

/** `serve`'s audit trail options (docs/service.md, "Audit trail"). */
export const AUDIT_OPTIONS = options({
  auditedEnvironments: {
    flag: '--audited-environments',
    env: 'AUDITED_ENVIRONMENTS',
    parse: list(text),
    fallback: ['production'],
    accepts: 'comma-separated environments whose allow waits for every audit mirror, * for all',
  },
  auditTopic: {
    flag: '--audit-topic',
    env: 'AUDIT_TOPIC',
    parse: topic,
    accepts: 'the Pulsar topic mirroring the audit trail (namespace retention: infinite; needs STATE_DIR)',
  },
  auditS3Bucket: {
    flag: '--audit-s3-bucket',
    env: 'AUDIT_S3_BUCKET',
    parse: text,
    accepts: 'an S3 bucket with Object Lock mirroring the audit trail (needs STATE_DIR)',
  },
  auditS3Prefix: {
    flag: '--audit-s3-prefix',
    env: 'AUDIT_S3_PREFIX',
    parse: text,
    fallback: 'pulsar-gate/audit/',
    accepts: 'a key prefix in the bucket',
  },
  auditS3Region: {
    flag: '--audit-s3-region',
    env: 'AUDIT_S3_REGION',
    parse: text,
    fallback: 'us-east-1',
    accepts: "the bucket's region",
  },
  auditS3Endpoint: {
    flag: '--audit-s3-endpoint',
    env: 'AUDIT_S3_ENDPOINT',
    parse: url(['http', 'https'], 'is not an http(s) URL'),
    accepts: 'an S3-compatible endpoint URL',
    defaultText: 'AWS',
  },
  auditS3ForcePathStyle: {
    flag: '--audit-s3-force-path-style',
    env: 'AUDIT_S3_FORCE_PATH_STYLE',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: path-style bucket URLs',
  },
  auditS3RetentionDays: {
    flag: '--audit-s3-retention-days',
    env: 'AUDIT_S3_RETENTION_DAYS',
    parse: integer(1, 36_500),
    fallback: 400,
    accepts: 'days, 1–36500: COMPLIANCE-mode retention of each record object',
  },
  auditS3CreateBucket: {
    flag: '--audit-s3-create-bucket',
    env: 'AUDIT_S3_CREATE_BUCKET',
    parse: boolean,
    fallback: false,
    accepts: 'true or false: create the bucket with Object Lock when missing',
  },
  auditMirrorTimeoutSeconds: {
    flag: '--audit-mirror-timeout',
    env: 'AUDIT_MIRROR_TIMEOUT',
    parse: integer(1, 120),
    fallback: 5,
    accepts: 'seconds, 1–120: how long an audited allow waits for the mirrors before it is denied',
  },
  auditCheckpointIntervalSeconds: {
    flag: '--audit-checkpoint-interval',
    env: 'AUDIT_CHECKPOINT_INTERVAL',
    parse: integer(1, 86_400),
    fallback: 60,
    accepts: 'seconds, 1–86400: how often a signed checkpoint is appended when there were decisions',
  },
  auditRotateBytes: {
    flag: '--audit-rotate-bytes',
    env: 'AUDIT_ROTATE_BYTES',
    parse: integer(0, 2 ** 40),
    fallback: 64 * 1024 * 1024,
    accepts:
      'bytes, 0–2^40: the trail file starts a new segment at the first checkpoint after it reached this size (0: never)',
  },
  auditRotateSeconds: {
    flag: '--audit-rotate-seconds',
    env: 'AUDIT_ROTATE_SECONDS',
    parse: integer(0, 31_622_400),
    fallback: 0,
    accepts:
      'seconds, 0–31622400: the trail file starts a new segment at the first checkpoint after it is this old (0: never)',
  },
  auditTrailId: {
    flag: '--audit-trail-id',
    env: 'AUDIT_TRAIL_ID',
    parse: matching(/^[\w.-]{1,64}$/, 'has characters it may not use'),
    accepts: 'letters, digits, ".", "_" and "-", at most 64: this instance\'s trail name',
    defaultText: 'a UUID kept in STATE_DIR',
  },
});
