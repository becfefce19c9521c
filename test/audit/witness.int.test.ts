import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditVerifyCommand } from '../../cli/admin/audit/audit-command.ts';
import { createCheckpointSigner } from '../../src/audit/checkpoint.ts';
import { TrailFile } from '../../src/audit/trail-file.ts';
import { type S3Peer, startS3 } from '../peers/s3/moto.ts';
import { brokerAdmin, brokerInfo } from '../support/broker.ts';
import { cli, mirrorAll, S3_ENV } from './mirror-all.ts';
import { io, keysFile, sampleRecord, writeTrail } from './trail-fixture.ts';

/**
 * `audit verify --file … --witness …` (issue 15 §2) against a real Object Lock bucket and a
 * real audit topic that hold every entry of the trail, checkpoints (signed heads) included.
 */
describe('audit verify --witness: a file behind or beside the witness fails', () => {
  let s3: S3Peer;
  let trail: Awaited<ReturnType<typeof writeTrail>>;
  let keys: string;
  const bucket = `audit-witness-${randomUUID().slice(0, 8)}`;
  const namespace = `public/audit-witness-${randomUUID().slice(0, 8)}`;
  const topic = `persistent://${namespace}/trail`;
  const witnesses = (): [string, string[]][] => [
    [`s3://${bucket}`, ['--s3-endpoint', s3.endpoint, '--s3-force-path-style']],
    [topic, ['--pulsar-url', brokerInfo().webSocketUrl]],
  ];
  const verify = (file: string, witness: string, extra: string[], keyFile = keys) =>
    cli(['audit', 'verify', '--keys', keyFile, '--file', file, '--witness', witness, ...extra], {
      ...S3_ENV,
      PULSAR_TOKEN: brokerInfo().adminToken ?? '',
    });

  beforeAll(async () => {
    s3 = await startS3(inject('motoServer'));
    // genesis 0, checkpoint… every 2 decisions: seq 3, 6, 9, and 11 at the end.
    trail = await writeTrail(7, 2);
    keys = await keysFile(trail);
    await brokerAdmin().createNamespace(namespace);
    await brokerAdmin().setRetention(namespace, -1, -1);
    await mirrorAll(s3, bucket, topic, trail.lines);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('the intact file holds the newest head of each witness', async () => {
    for (const [witness, extra] of witnesses()) {
      const run = await verify(trail.path, witness, extra);
      expect(run.text, witness).toMatch(/holds the signed head at seq 11/);
      expect(run.code, witness).toBe(0);
    }
  });

  it('a trail cut back to its first checkpoint verifies alone, and fails against either witness, named', async () => {
    const cut = `${trail.path}.cut`;
    await writeFile(cut, `${trail.lines.slice(0, 4).join('\n')}\n`);
    const alone = io();
    expect(await auditVerifyCommand({ file: cut, keys }, alone.io)).toBe(0);
    for (const [witness, extra] of witnesses()) {
      const run = await verify(cut, witness, extra);
      expect(run.text, witness).toMatch(
        /the file is behind the witness: it ends at seq 3, the witness holds a signed head at seq 6 .*cut back/,
      );
      expect(run.code, witness).toBe(1);
    }
  });

  it('a fork (an old copy of the trail continued with the real key after a restore) fails against the witness', async () => {
    // What a restored backup continued by the service would hold: seq 0–6 as mirrored, then
    // other decisions signed with the same key.
    const dir = `${trail.dir}/fork`;
    const forked = await TrailFile.open(dir);
    await writeFile(forked.path, `${trail.lines.slice(0, 7).join('\n')}\n`);
    await forked.close();
    const file = await TrailFile.open(dir);
    const signer = await createCheckpointSigner(trail.privateJwk);
    const at = '2026-11-24T13:00:00.000Z';
    for (let n = 40; n < 44; n++)
      await file.append((h) => ({
        v: 1,
        ...h,
        at,
        type: 'decision',
        record: sampleRecord(n, { verdict: 'deny' }),
      }));
    await file.append((h) => signer.sign({ v: 1, ...h, at, type: 'checkpoint', ...file.treeHead() }));
    await file.close();
    const alone = io();
    expect(await auditVerifyCommand({ file: file.path, keys }, alone.io)).toBe(0);
    for (const [witness, extra] of witnesses()) {
      const run = await verify(file.path, witness, extra);
      expect(run.text, witness).toMatch(
        /the witness's signed head at seq 9 is not an extension of the file's trail/,
      );
      expect(run.code, witness).toBe(1);
    }
  });

  it('a witness that holds no head of the trail fails, and --witness needs --file', async () => {
    const other = await writeTrail(2, 2);
    const run = await verify(
      other.path,
      `s3://${bucket}`,
      ['--s3-endpoint', s3.endpoint, '--s3-force-path-style'],
      await keysFile(other),
    );
    expect(run.code).toBe(1);
    expect(run.text).toMatch(/the witness holds no signed head of trail/);
    const o = io();
    expect(await auditVerifyCommand({ s3Bucket: bucket, keys, witness: topic }, o.io)).toBe(2);
  });
});
