import { appendFile, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { createCheckpointSigner } from '../../src/audit/checkpoint.ts';
import { TrailFile } from '../../src/audit/trail-file.ts';
import { verifyTrail } from '../../src/audit/verify-trail.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import { sampleRecord, writeTrail } from './trail-fixture.ts';

const edit = (line: string, change: (e: Record<string, unknown>) => void): string => {
  const entry = JSON.parse(line) as Record<string, unknown>;
  change(entry);
  return canonicalJson(entry);
};

describe('audit verify finds the first broken link', () => {
  it('an untouched trail verifies: one trail, every checkpoint valid, nothing uncovered', async () => {
    const { lines, keys } = await writeTrail(7);
    const result = await verifyTrail(lines, keys, { ordered: true });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.decisions).toHaveLength(7);
    expect(result.trails[0]).toMatchObject({ entries: 11, checkpoints: 3, lastCheckpoint: 10, uncovered: 0 });
  });

  it('an edited record: the link after it breaks', async () => {
    const { lines, keys } = await writeTrail(7);
    // Line 3 is seq 2, the second decision (seq 0 is the genesis): turn it into a deny.
    lines[2] = edit(lines[2] ?? '', (e) => {
      (e.record as Record<string, unknown>).verdict = 'deny';
    });
    const result = await verifyTrail(lines, keys, { ordered: true });
    expect(result).toMatchObject({ ok: false, broken: { seq: 3, position: 4 } });
    if (!result.ok) expect(result.broken.reason).toMatch(/seq 3 does not carry the digest of seq 2/);
  });

  it('a deleted record: the gap is named', async () => {
    const { lines, keys } = await writeTrail(7);
    lines.splice(4, 1);
    const result = await verifyTrail(lines, keys, { ordered: true });
    expect(result).toMatchObject({ ok: false, broken: { seq: 5 } });
    if (!result.ok) expect(result.broken.reason).toBe('seq 4 missing: seq 5 follows seq 3');
  });

  it('two records swapped: named as out of order', async () => {
    const { lines, keys } = await writeTrail(7);
    const [a, b] = [lines[4] ?? '', lines[5] ?? ''];
    lines[4] = b;
    lines[5] = a;
    const result = await verifyTrail(lines, keys, { ordered: true });
    expect(result).toMatchObject({ ok: false, broken: { seq: 5, position: 5 } });
    if (!result.ok) expect(result.broken.reason).toMatch(/seq 4 is out of order/);
  });

  it('a rebuilt chain (edited record, every later digest recomputed) fails at the checkpoint signature', async () => {
    const { lines, keys } = await writeTrail(4, 10);
    const { digestOf } = await import('../../src/audit/canonical-json.ts');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const edited = entries[1]?.record as { asked: Record<string, unknown> } | undefined;
    if (edited) edited.asked.environment = 'staging';
    for (let i = 1; i < entries.length; i++) {
      const current = entries[i];
      if (current) current.prev = digestOf(entries[i - 1]);
    }
    const result = await verifyTrail(entries.map(canonicalJson), keys, { ordered: true });
    expect(result).toMatchObject({ ok: false, broken: { seq: 5 } });
    if (!result.ok)
      expect(result.broken.reason).toBe('checkpoint signature covers other content than the entry');
  });

  it('a checkpoint signed by a key that is not trusted fails', async () => {
    const { lines } = await writeTrail(3);
    const other = await parseTrustedKeys((await generateServiceKey()).publicJwks, 'other');
    const result = await verifyTrail(lines, other, { ordered: true });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken.reason).toMatch(/unknown key/);
  });

  it('unordered sources: duplicates count once, a conflicting copy is refused', async () => {
    const { lines, keys } = await writeTrail(5);
    const shuffled = [...lines].reverse().concat(lines[2] ?? '');
    expect((await verifyTrail(shuffled, keys, { ordered: false })).ok).toBe(true);
    const conflicting = [...lines, edit(lines[2] ?? '', (e) => (e.at = '2030-01-01T00:00:00.000Z'))];
    const result = await verifyTrail(conflicting, keys, { ordered: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken.reason).toMatch(/seq 2 is stored twice with different content/);
  });

  it('records after the last checkpoint fail; with allowUnsignedTail they are reported as uncovered', async () => {
    const { lines, keys } = await writeTrail(6, 3);
    const failed = await verifyTrail(lines.slice(0, -1), keys, { ordered: true });
    expect(failed).toMatchObject({ ok: false, broken: { seq: 7 } });
    if (!failed.ok)
      expect(failed.broken.reason).toMatch(
        /^3 record\(s\) after the last checkpoint \(seq 4\) are not signed: seq 5–7/,
      );
    const allowed = await verifyTrail(lines.slice(0, -1), keys, { ordered: true, allowUnsignedTail: true });
    expect(allowed.ok && allowed.trails[0]?.uncovered).toBe(3);
  });
});

describe('RFC 8785 canonical JSON', () => {
  it('sorts members by UTF-16 code units, drops undefined, keeps numbers as ECMAScript writes them', () => {
    expect(
      canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, '\u20ac': 1e21, '\ud83d\ude00': 0.1 }),
    ).toBe('{"a":[true,null,"x"],"b":1,"€":1e+21,"😀":0.1}');
  });
});

describe('the trail file after a crash', () => {
  it('continues the chain from the last whole line (a torn one is cut off); the next checkpoint covers the rest', async () => {
    const trail = await writeTrail(5, 2);
    // A decision no checkpoint covers, then half a line: a crash in the middle of an append.
    const file = await TrailFile.open(trail.dir);
    await file.append((head) => ({
      v: 1,
      ...head,
      at: '2026-11-24T12:01:00.000Z',
      type: 'decision',
      record: sampleRecord(9),
    }));
    await file.close();
    await appendFile(trail.path, '{"v":1,"trail":"torn');
    const log = await AuditLog.open({
      dir: trail.dir,
      mirrors: [],
      signer: await createCheckpointSigner(trail.privateJwk),
      auditedEnvironments: ['production'],
      mirrorTimeoutMs: 1_000,
      checkpointIntervalMs: 3_600_000,
      clock: { now: () => Date.now() },
      log: () => undefined,
    });
    expect(log.nextSeq).toBe(trail.lines.length + 1);
    await log.close();
    const lines = (await readFile(trail.path, 'utf8')).split('\n').filter(Boolean);
    const result = await verifyTrail(lines, trail.keys, { ordered: true });
    expect(result.ok && result.trails[0]).toMatchObject({ entries: trail.lines.length + 2, uncovered: 0 });
  });
});
