import { join } from 'node:path';
import { parseTopic } from '../../src/transport/topic.ts';
import { serveFields } from './serve-fields.ts';

/** The audit trail's part of `serve`'s configuration (README: "Audit trail"). */
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
}

export const AUDIT_OPTIONS = [
  [
    '--audited-environments <list>',
    'AUDITED_ENVIRONMENTS',
    'environments whose allow waits for every audit mirror, * for all (default: production)',
  ],
  [
    '--audit-topic <topic>',
    'AUDIT_TOPIC',
    'Pulsar topic mirroring the audit trail (namespace retention: infinite)',
  ],
  ['--audit-s3-bucket <name>', 'AUDIT_S3_BUCKET', 'S3 bucket with Object Lock mirroring the audit trail'],
  ['--audit-s3-prefix <prefix>', 'AUDIT_S3_PREFIX', 'key prefix in the bucket (default: pulsar-gate/audit/)'],
  ['--audit-s3-region <region>', 'AUDIT_S3_REGION', "the bucket's region (default: us-east-1)"],
  ['--audit-s3-endpoint <url>', 'AUDIT_S3_ENDPOINT', 'an S3-compatible endpoint (default: AWS)'],
  [
    '--audit-s3-force-path-style [bool]',
    'AUDIT_S3_FORCE_PATH_STYLE',
    'path-style bucket URLs (default: false)',
  ],
  [
    '--audit-s3-retention-days <days>',
    'AUDIT_S3_RETENTION_DAYS',
    'COMPLIANCE-mode retention of each record object (default: 400)',
  ],
  [
    '--audit-s3-create-bucket [bool]',
    'AUDIT_S3_CREATE_BUCKET',
    'create the bucket with Object Lock when missing (default: false)',
  ],
  [
    '--audit-mirror-timeout <seconds>',
    'AUDIT_MIRROR_TIMEOUT',
    'how long an audited allow waits for the mirrors before it is denied (default: 5)',
  ],
  [
    '--audit-checkpoint-interval <seconds>',
    'AUDIT_CHECKPOINT_INTERVAL',
    'how often a signed checkpoint is appended when there were decisions (default: 60)',
  ],
  [
    '--audit-trail-id <id>',
    'AUDIT_TRAIL_ID',
    "this instance's trail name (default: a UUID kept in STATE_DIR)",
  ],
] as const;

type Raw = Readonly<Record<string, string | undefined>>;

/** Undefined without STATE_DIR; a mirror without STATE_DIR is a problem (no outbox to survive a restart). */
export function parseAuditConfig(raw: Raw, problems: string[]): AuditConfig | undefined {
  const { optional, split, int, bool } = serveFields(raw, problems);
  const stateDir = optional('STATE_DIR');
  const topic = optional('AUDIT_TOPIC');
  const bucket = optional('AUDIT_S3_BUCKET');
  if (!stateDir) {
    for (const name of ['AUDIT_TOPIC', 'AUDIT_S3_BUCKET'])
      if (optional(name))
        problems.push(`${name}: needs STATE_DIR (the audit trail and its outbox live there)`);
    return undefined;
  }
  if (topic) {
    try {
      parseTopic(topic);
    } catch (error) {
      problems.push(`AUDIT_TOPIC: ${error instanceof Error ? error.message : 'invalid topic'}`);
    }
  }
  const prefix = optional('AUDIT_S3_PREFIX') ?? 'pulsar-gate/audit/';
  const trailId = optional('AUDIT_TRAIL_ID');
  if (trailId && !/^[\w.-]{1,64}$/.test(trailId))
    problems.push('AUDIT_TRAIL_ID: letters, digits, ".", "_" and "-" only, at most 64');
  const audited = split(optional('AUDITED_ENVIRONMENTS') ?? 'production');
  return {
    dir: join(stateDir, 'audit'),
    trailId,
    auditedEnvironments: audited,
    topic,
    s3: bucket
      ? {
          bucket,
          prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
          region: optional('AUDIT_S3_REGION') ?? 'us-east-1',
          endpoint: optional('AUDIT_S3_ENDPOINT'),
          forcePathStyle: bool('AUDIT_S3_FORCE_PATH_STYLE'),
          retentionDays: int('AUDIT_S3_RETENTION_DAYS', 400, 1, 36_500),
          createBucket: bool('AUDIT_S3_CREATE_BUCKET'),
        }
      : undefined,
    mirrorTimeoutMs: int('AUDIT_MIRROR_TIMEOUT', 5, 1, 120) * 1000,
    checkpointIntervalMs: int('AUDIT_CHECKPOINT_INTERVAL', 60, 1, 86_400) * 1000,
  };
}
