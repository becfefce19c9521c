import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditVerifyCommand } from '../../cli/admin/audit/audit-command.ts';
import { type S3Peer, startS3 } from '../peers/s3/moto.ts';
import { brokerAdmin, brokerInfo } from '../support/broker.ts';
import { cli, mirrorAll, S3_ENV } from './mirror-all.ts';
import { forge, io, keysFile, sampleRecord, writeTrail } from './trail-fixture.ts';

/** `audit verify` of a bucket on the S3 peer, as an operator runs it. */
const verifyBucket = (keys: string, bucket: string, s3: S3Peer) =>
  cli(
    [
      'audit',
      'verify',
      '--keys',
      keys,
      '--s3-bucket',
      bucket,
      '--s3-endpoint',
      s3.endpoint,
      '--s3-force-path-style',
    ],
    S3_ENV,
  );

/** `audit verify` of the audit topic on the run's broker. */
const verifyTopic = (keys: string, topic: string) =>
  cli(['audit', 'verify', '--keys', keys, '--topic', topic, '--pulsar-url', brokerInfo().webSocketUrl], {
    PULSAR_TOKEN: brokerInfo().adminToken ?? '',
  });

describe('pulsar-gate-service audit verify', () => {
  it('a trail file: exit 0 when intact; exit 1 naming the first broken link when a record was edited', async () => {
    const trail = await writeTrail(6);
    const keys = await keysFile(trail);
    const ok = io();
    expect(await auditVerifyCommand({ file: trail.path, keys }, ok.io)).toBe(0);
    expect(ok.out.join('')).toMatch(/✔ audit trail .*: 9 entries in 1 trail\(s\)/);
    await writeFile(
      trail.path,
      `${trail.lines.map((l, i) => (i === 2 ? l.replace('"main"', '"hotfix"') : l)).join('\n')}\n`,
    );
    const bad = io();
    expect(await auditVerifyCommand({ file: trail.path, keys }, bad.io)).toBe(1);
    expect(bad.out.join('')).toMatch(
      /✖ audit trail .* is broken at trail .*, seq 3, entry #4 of the source: seq 3 does not carry the digest of seq 2/,
    );
  });

  it('no source or two sources: exit 2', async () => {
    const o = io();
    expect(await auditVerifyCommand({ keys: '{"keys":[]}' }, o.io)).toBe(2);
    expect(await auditVerifyCommand({ file: 'a', topic: 'b', keys: 'x' }, o.io)).toBe(2);
  });
});

describe('pulsar-gate-service audit verify from the topic and the bucket (the CLI as a process)', () => {
  let s3: S3Peer;
  let trail: Awaited<ReturnType<typeof writeTrail>>;
  let keys: string;
  const bucket = `audit-cli-${randomUUID().slice(0, 8)}`;
  const namespace = `public/audit-cli-${randomUUID().slice(0, 8)}`;
  const topic = `persistent://${namespace}/trail`;
  beforeAll(async () => {
    s3 = await startS3(inject('motoServer'));
    trail = await writeTrail(5, 2);
    keys = await keysFile(trail);
    await brokerAdmin().createNamespace(namespace);
    await brokerAdmin().setRetention(namespace, -1, -1);
    // Skip seq 4 in the topic only: the topic then has a gap the CLI must report.
    await mirrorAll(s3, bucket, topic, trail.lines, (m, seq) => !(m === 'pulsar' && seq === 4));
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('the bucket verifies', async () => {
    const run = await verifyBucket(keys, bucket, s3);
    expect(run.text).toMatch(/✔ audit trail s3:\/\/.*: 9 entries/);
    expect(run.code).toBe(0);
  });

  it('audit prove <request-id> from the bucket prints a proof audit verify-proof accepts; a forged one: exit 1', async () => {
    const s3Flags = ['--s3-bucket', bucket, '--s3-endpoint', s3.endpoint, '--s3-force-path-style'];
    const proved = await cli(
      ['audit', 'prove', sampleRecord(2).requestId, '--keys', keys, ...s3Flags],
      S3_ENV,
    );
    expect(proved.code).toBe(0);
    const proof = JSON.parse(proved.text) as { index: number; treeSize: number; leaf: { record: object } };
    expect(proof).toMatchObject({ index: 4, treeSize: 8 });
    const path = join(trail.dir, 'proof.json');
    await writeFile(path, proved.text);
    const checked = await cli(['audit', 'verify-proof', path, '--keys', keys]);
    expect(checked.text).toMatch(/✔ .*proof.json: the allow of request .* is leaf 4 of trail /);
    expect(checked.code).toBe(0);
    const forged = { ...proof, leaf: { ...proof.leaf, record: { ...proof.leaf.record, verdict: 'deny' } } };
    await writeFile(path, JSON.stringify(forged));
    const refused = await cli(['audit', 'verify-proof', path, '--keys', keys]);
    expect(refused.text).toMatch(/✖ audit verify-proof: .*the audit path does not lead from leaf 4/);
    expect(refused.code).toBe(1);
    const unknown = await cli(
      ['audit', 'prove', sampleRecord(77).requestId, '--keys', keys, ...s3Flags],
      S3_ENV,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.text).toMatch(/holds no record of request/);
  });

  it('the topic with a message missing: exit 1, the gap named', async () => {
    const run = await verifyTopic(keys, topic);
    expect(run.text).toMatch(
      /✖ audit trail .* is broken at trail .*, seq 5.*: seq 4 missing: seq 5 follows seq 3/,
    );
    expect(run.code).toBe(1);
  });
});

describe('an extra unsigned trail (replica-2) added next to the real one (issue 15 §1)', () => {
  let s3: S3Peer;
  let keys: string;
  const bucket = `audit-inject-${randomUUID().slice(0, 8)}`;
  const namespace = `public/audit-inject-${randomUUID().slice(0, 8)}`;
  const topic = `persistent://${namespace}/trail`;
  beforeAll(async () => {
    s3 = await startS3(inject('motoServer'));
    const trail = await writeTrail(4, 2);
    keys = await keysFile(trail);
    await brokerAdmin().createNamespace(namespace);
    await brokerAdmin().setRetention(namespace, -1, -1);
    // Object Lock stops overwrites, not additions: a rebuilt chain under another trail id.
    const replica = forge(
      trail.lines,
      (e) => e.type === 'decision',
      (e) => {
        e.trail = 'replica-2';
        if (e.record) e.record.verdict = 'allow';
      },
    );
    await mirrorAll(s3, bucket, topic, [...trail.lines, ...replica]);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('the bucket fails as a whole, naming replica-2', async () => {
    const run = await verifyBucket(keys, bucket, s3);
    expect(run.text).toMatch(
      /✖ audit trail s3:.* is broken at trail replica-2, seq 0.*: trail replica-2 has no genesis/,
    );
    expect(run.code).toBe(1);
  });

  it('the topic fails as a whole, naming replica-2', async () => {
    const run = await verifyTopic(keys, topic);
    expect(run.text).toMatch(
      /✖ audit trail .* is broken at trail replica-2, seq 0.*: trail replica-2 has no genesis/,
    );
    expect(run.code).toBe(1);
  });
});
