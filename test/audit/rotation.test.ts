import { mkdtemp, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { createCheckpointSigner } from '../../src/audit/checkpoint.ts';
import { fileTrailSource } from '../../src/audit/file-source.ts';
import { proveInclusion, verifyInclusionProof } from '../../src/audit/inclusion-proof.ts';
import type { Mirror } from '../../src/audit/mirror.ts';
import { TrailFile } from '../../src/audit/trail-file.ts';
import { segmentLines } from '../../src/audit/trail-segments.ts';
import { verifyTrail } from '../../src/audit/verify-trail.ts';
import { generateServiceKey, publicJwksOf } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import { systemClock } from '../../src/time.ts';
import { eventually } from './audit-world.ts';
import { sampleRecord } from './trail-fixture.ts';

/** A mirror kept in memory that can be taken down (every put fails, retryably) and brought back. */
function memoryMirror() {
  const lines: string[] = [];
  const state = { down: false };
  const mirror: Mirror = {
    name: 'memory',
    put: async (_entry, line) => {
      if (state.down) throw new Error('mirror down');
      lines.push(line);
    },
    retryable: () => true,
    close: async () => {},
  };
  return { mirror, lines, state };
}

describe('the trail file rotates without breaking the trail (issue 15 §5)', () => {
  it('under load, with a restart in the middle and a mirror down across it: every segment after the first opens with the signed head, everything verifies and is proven, nothing is lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-rotation-'));
    const { privateJwk, publicJwks } = await generateServiceKey();
    const keys = await parseTrustedKeys(publicJwks, 'test');
    const signer = await createCheckpointSigner(privateJwk);
    const memory = memoryMirror();
    const open = () =>
      AuditLog.open({
        dir,
        mirrors: [memory.mirror],
        signer,
        auditedEnvironments: ['production'],
        mirrorTimeoutMs: 300,
        checkpointIntervalMs: 3_600_000,
        rotation: { bytes: 8 * 1024 },
        clock: systemClock,
        log: () => {},
      });
    // Load: decisions written concurrently, checkpoints taken while they are in flight.
    const burst = async (log: AuditLog, from: number, n: number) => {
      const writes: Promise<unknown>[] = [];
      for (let i = from; i < from + n; i++) {
        writes.push(log.write(sampleRecord(i, { verdict: 'deny' }), false));
        if (i % 7 === 0) writes.push(log.checkpoint());
      }
      await Promise.all(writes);
    };
    let log = await open();
    await burst(log, 0, 60);
    // The mirror goes down: an audited allow fails closed, and the backlog grows.
    memory.state.down = true;
    await expect(log.write(sampleRecord(1000), true)).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    await burst(log, 60, 60);
    expect(log.backlog().memory).toBeGreaterThan(60);
    await log.close(100);
    // Restart: the backlog is still owed, and still fails closed until the mirror answers.
    log = await open();
    expect(log.backlog().memory).toBeGreaterThan(60);
    await expect(log.write(sampleRecord(1001), true)).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    memory.state.down = false;
    await burst(log, 120, 60);
    // Back up: the backlog drains (after the pump's backoff), then an audited allow goes through.
    expect(await eventually(async () => log.backlog().memory === 0, 15_000)).toBe(true);
    expect(await log.write(sampleRecord(1002), true)).toMatchObject({ index: expect.any(Number) });
    await log.close();

    const segments = (await readdir(dir)).filter((f) => f.startsWith('trail.')).sort();
    expect(segments.length).toBeGreaterThan(3);
    expect(segments[segments.length - 1]).toBe('trail.jsonl');
    for (const name of segments.slice(1)) {
      const [first] = await segmentLines(join(dir, name));
      const head = JSON.parse(first ?? '{}');
      expect(head, name).toMatchObject({ type: 'checkpoint' });
      // The signed head of everything before the segment.
      expect(head.size, name).toBe(head.seq);
    }
    // verify reads every segment, from the directory or from trail.jsonl, strict: nothing unsigned.
    for (const path of [dir, join(dir, 'trail.jsonl')]) {
      const { lines, ordered } = await fileTrailSource(path).read();
      const verdict = await verifyTrail(lines, keys, { ordered });
      if (!verdict.ok) throw new Error(JSON.stringify(verdict.broken));
      expect(verdict.decisions.map((d) => d.record.requestId)).toHaveLength(183);
      // A record from the first segment is proven under the newest head, in the last one.
      const tree = verdict.trees.get(log.trail);
      const proof = tree && proveInclusion(tree, verdict.decisions[0] ?? verdict.decisions[1]!);
      expect(
        await verifyInclusionProof(proof, await parseTrustedKeys(publicJwksOf([privateJwk]), 't')),
      ).toMatchObject({ ok: true });
    }
    // The mirror holds every entry exactly as the file does, across the rotation and the restart.
    const { lines } = await fileTrailSource(dir).read();
    expect(new Set(memory.lines)).toEqual(new Set(lines));
    expect((await verifyTrail(memory.lines, keys, { ordered: false })).ok).toBe(true);
  }, 60_000);
});

describe('a crash in the middle of a rotation', () => {
  it('the old segment renamed, the new one not yet written: the trail continues from the last segment and verifies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-rotation-crash-'));
    const { privateJwk, publicJwks } = await generateServiceKey();
    const signer = await createCheckpointSigner(privateJwk);
    const at = '2026-11-24T12:00:00.000Z';
    const file = await TrailFile.open(dir);
    await file.append((h) => signer.sign({ v: 1, ...h, at, type: 'genesis', kid: signer.kid }));
    for (let i = 0; i < 3; i++)
      await file.append((h) => ({ v: 1, ...h, at, type: 'decision', record: sampleRecord(i) }));
    await file.close();
    // What #rotate leaves when the process dies after the rename: no trail.jsonl at all.
    await rename(join(dir, 'trail.jsonl'), join(dir, 'trail.000000000000.jsonl'));
    const after = await TrailFile.open(dir);
    expect(after.next.seq).toBe(4);
    expect(after.uncovered).toBe(true);
    await after.append((h) => ({ v: 1, ...h, at, type: 'decision', record: sampleRecord(3) }));
    await after.append((h) => signer.sign({ v: 1, ...h, at, type: 'checkpoint', ...after.treeHead() }));
    await after.close();
    const { lines } = await fileTrailSource(dir).read();
    const verdict = await verifyTrail(lines, await parseTrustedKeys(publicJwks, 't'), { ordered: true });
    expect(verdict).toMatchObject({ ok: true, trails: [{ entries: 6, lastCheckpoint: 5 }] });
  });
});
