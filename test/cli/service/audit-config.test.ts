import { describe, expect, it } from 'vitest';
import { readServe as parseServeConfig, SERVE_REQUIRED, serveProblems } from './serve-env.ts';

const BASE = { ...SERVE_REQUIRED, BITBUCKET_TOKEN: 'bb-token' };

const problems = (raw: Record<string, string>): string => serveProblems({ ...BASE, ...raw });

describe('serve: audit options', () => {
  it('without STATE_DIR there is no trail, and a mirror is refused rather than silently dropped', () => {
    expect(parseServeConfig(BASE).audit).toBeUndefined();
    expect(problems({ AUDIT_S3_BUCKET: 'b', AUDIT_TOPIC: 'audit' }).split('\n')).toEqual([
      'AUDIT_TOPIC: needs STATE_DIR (the audit trail and its outbox live there); accepts the Pulsar topic mirroring the audit trail (namespace retention: infinite; needs STATE_DIR)',
      'AUDIT_S3_BUCKET: needs STATE_DIR (the audit trail and its outbox live there); accepts an S3 bucket with Object Lock mirroring the audit trail (needs STATE_DIR)',
    ]);
  });

  it('defaults: production audited, 5 s mirror timeout, 60 s checkpoints, 400-day retention', () => {
    const { audit } = parseServeConfig({
      ...BASE,
      STATE_DIR: '/var/lib/pg',
      AUDIT_S3_BUCKET: 'evidence',
      AUDIT_S3_PREFIX: 'gate',
    });
    expect(audit).toMatchObject({
      dir: '/var/lib/pg/audit',
      auditedEnvironments: ['production'],
      mirrorTimeoutMs: 5_000,
      checkpointIntervalMs: 60_000,
      rotation: { bytes: 64 * 1024 * 1024, ms: 0 },
      topic: undefined,
      s3: {
        bucket: 'evidence',
        prefix: 'gate/',
        region: 'us-east-1',
        retentionDays: 400,
        createBucket: false,
      },
    });
  });

  it('the trail file rotates by size or age (issue 15 §5); 0 turns either off', () => {
    const { audit } = parseServeConfig({
      ...BASE,
      STATE_DIR: '/s',
      AUDIT_ROTATE_BYTES: '0',
      AUDIT_ROTATE_SECONDS: '86400',
    });
    expect(audit?.rotation).toEqual({ bytes: 0, ms: 86_400_000 });
    expect(
      problems({ STATE_DIR: '/s', AUDIT_ROTATE_BYTES: '-1', AUDIT_ROTATE_SECONDS: '1d' }).split('\n'),
    ).toEqual([
      expect.stringMatching(
        /^AUDIT_ROTATE_BYTES: must be a whole number from 0 to 1099511627776 \(got "-1"\)/,
      ),
      expect.stringMatching(/^AUDIT_ROTATE_SECONDS: must be a whole number from 0 to 31622400 \(got "1d"\)/),
    ]);
  });

  it('bad values are named, all at once', () => {
    expect(
      problems({
        STATE_DIR: '/s',
        AUDIT_S3_BUCKET: 'b',
        AUDIT_S3_RETENTION_DAYS: '0',
        AUDIT_MIRROR_TIMEOUT: 'soon',
        AUDIT_TRAIL_ID: 'a/b',
      }).split('\n'),
    ).toEqual([
      'AUDIT_S3_RETENTION_DAYS: must be a whole number from 1 to 36500 (got "0"); accepts days, 1–36500: COMPLIANCE-mode retention of each record object',
      'AUDIT_MIRROR_TIMEOUT: must be a whole number from 1 to 120 (got "soon"); accepts seconds, 1–120: how long an audited allow waits for the mirrors before it is denied',
      'AUDIT_TRAIL_ID: has characters it may not use (got "a/b"); accepts letters, digits, ".", "_" and "-", at most 64: this instance\'s trail name',
    ]);
  });
});

describe('serve: where it answers and how much (issue 13)', () => {
  it('defaults: {topic}-replies, 5 requests per step, 60 per repository a minute', () => {
    const config = parseServeConfig(BASE);
    expect(config.replyTemplate.text).toBe('{topic}-replies');
    expect(config.limits).toEqual({ perStep: 5, perRepositoryPerMinute: 60 });
  });

  it('DECISIONS_TOPIC: by default pulsar-gate-decisions in the first request topic’s namespace, so replicas meet', () => {
    expect(
      parseServeConfig({ ...BASE, TOPICS: 'platform/gates/production,other/ns/staging' }).decisionsTopic,
    ).toBe('persistent://platform/gates/pulsar-gate-decisions');
    expect(parseServeConfig({ ...BASE, DECISIONS_TOPIC: 'platform/shared/decisions' }).decisionsTopic).toBe(
      'persistent://platform/shared/decisions',
    );
    expect(problems({ DECISIONS_TOPIC: 'a/b' })).toMatch(/^DECISIONS_TOPIC: /);
  });

  it('a template mapping a request topic onto KEYS_TOPIC is one line naming both; so is AUDIT_TOPIC and a DLQ', () => {
    expect(
      problems({ KEYS_TOPIC: 'platform/gates/production-keys', REPLY_TOPIC_TEMPLATE: '{topic}-keys' }),
    ).toBe(
      'REPLY_TOPIC_TEMPLATE: maps persistent://platform/gates/production onto KEYS_TOPIC persistent://platform/gates/production-keys (got "{topic}-keys"); accepts the reply topic of each request topic, from {topic} (its full name), {tenant}, {namespace} and {name}; never KEYS_TOPIC, AUDIT_TOPIC, DECISIONS_TOPIC, a request or dead-letter topic',
    );
    expect(
      problems({
        STATE_DIR: '/var/lib/pg',
        AUDIT_TOPIC: 'platform/audit/production',
        REPLY_TOPIC_TEMPLATE: 'platform/audit/{name}',
      }),
    ).toMatch(/^REPLY_TOPIC_TEMPLATE: maps \S+ onto AUDIT_TOPIC persistent:\/\/platform\/audit\/production /);
    expect(problems({ REPLY_TOPIC_TEMPLATE: '{topic}-dlq' })).toMatch(/onto dead-letter topic /);
    // Replies on the decisions topic would be read as decision records by every replica.
    expect(
      problems({
        DECISIONS_TOPIC: 'platform/gates/production-decisions',
        REPLY_TOPIC_TEMPLATE: '{topic}-decisions',
      }),
    ).toMatch(
      /^REPLY_TOPIC_TEMPLATE: maps \S+ onto DECISIONS_TOPIC persistent:\/\/platform\/gates\/production-decisions /,
    );
    expect(problems({ REPLY_TOPIC_TEMPLATE: '{topic}-{env}' })).toMatch(
      /^REPLY_TOPIC_TEMPLATE: has an unknown placeholder \{env\}/,
    );
    expect(
      problems({ MAX_REQUESTS_PER_STEP: '0', RATE_LIMIT_PER_REPOSITORY: 'many' }).split('\n'),
    ).toHaveLength(2);
  });
});
