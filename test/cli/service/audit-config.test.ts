import { describe, expect, it } from 'vitest';
import { parseServeConfig as parseSource } from '../../../cli/service/serve-config.ts';
import { isGateError } from '../../../src/errors.ts';

const BASE = {
  PULSAR_URL: 'ws://127.0.0.1:8080',
  TOPICS: 'platform/gates/production',
  SIGNING_KEY_FILE: 'key.json',
  POLICY_DIR: 'policies',
  OIDC_ISSUERS: 'https://issuer.example',
  OIDC_AUDIENCES: 'aud',
  BITBUCKET_TOKEN: 'bb-token',
};

const parseServeConfig = (env: Record<string, string>) => parseSource({ flags: {}, env });

const problems = (raw: Record<string, string>): string => {
  try {
    parseServeConfig({ ...BASE, ...raw });
    return '';
  } catch (error) {
    if (!isGateError(error, 'CONFIG_INVALID')) throw error;
    return error.message;
  }
};

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
