import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { mustRead } from '../../cli/options/read.ts';
import { auditConfigOf } from '../../cli/service/audit-config.ts';
import { AUDIT_OPTIONS } from '../../cli/service/audit-options.ts';
import { openAudit } from '../../cli/service/audit-wiring.ts';
import type { AuditLog } from '../../src/audit/audit-log.ts';
import { createCheckpointSigner } from '../../src/audit/checkpoint.ts';
import { fileTrailSource } from '../../src/audit/file-source.ts';
import { topicTrailSource } from '../../src/audit/pulsar-mirror.ts';
import { s3TrailSource } from '../../src/audit/s3-source.ts';
import { verifyTrail } from '../../src/audit/verify-trail.ts';
import { systemClock } from '../../src/time.ts';
import { type S3Peer, startS3 } from '../peers/s3/moto.ts';
import { brokerAdmin } from '../support/broker.ts';
import type { ServiceFixture } from '../support/service-fixture.ts';

/** The service fixture plus an audit trail mirrored to a real topic (infinite retention) and a real moto bucket. */
export async function auditWorld(fx: ServiceFixture, options: { mirrorTimeoutSeconds?: number } = {}) {
  const s3: S3Peer = await startS3(inject('motoServer'));
  const id = randomUUID().slice(0, 8);
  const namespace = `public/audit-${id}`;
  await brokerAdmin().createNamespace(namespace);
  await brokerAdmin().setRetention(namespace, -1, -1);
  const stateDir = await mkdtemp(join(tmpdir(), 'pulsar-gate-audit-state-'));
  const values = mustRead(
    AUDIT_OPTIONS,
    {
      flags: {},
      env: {
        AUDIT_TOPIC: `persistent://${namespace}/trail`,
        AUDIT_S3_BUCKET: `audit-${id}`,
        AUDIT_S3_ENDPOINT: s3.endpoint,
        AUDIT_S3_FORCE_PATH_STYLE: 'true',
        AUDIT_S3_CREATE_BUCKET: 'true',
        AUDIT_MIRROR_TIMEOUT: String(options.mirrorTimeoutSeconds ?? 2),
      },
    },
    [],
    'audit options',
  );
  const config = auditConfigOf(values, stateDir);
  if (!config?.s3 || !config.topic) throw new Error('bad audit config');
  const logs: string[] = [];
  const s3Client = s3.client();
  const sources = {
    file: fileTrailSource(join(config.dir, 'trail.jsonl')),
    topic: topicTrailSource(fx.transport, config.topic, { clock: systemClock, idleMs: 1_500 }),
    bucket: s3TrailSource(s3Client, config.s3.bucket, config.s3.prefix),
  };
  return {
    s3,
    s3Client,
    config,
    logs,
    sources,
    open: async (): Promise<AuditLog> =>
      openAudit(config, {
        signer: await createCheckpointSigner(fx.privateJwk),
        transport: fx.transport,
        s3Client: s3.client(),
        log: (level, message) => logs.push(`${level}: ${message}`),
      }),
    /** `allowUnsignedTail` for a trail read while the service runs: its newest records await a checkpoint. */
    async verify(source: keyof typeof sources, allowUnsignedTail = false) {
      const { lines, ordered } = await sources[source].read();
      return verifyTrail(lines, fx.trusted, { ordered, allowUnsignedTail });
    },
    async close() {
      s3Client.destroy();
      await s3.stop();
    },
  };
}

/** Polls `check` until it is true or `ms` pass. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}
