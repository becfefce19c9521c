import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { signedRequest } from '../support/requester.ts';
import { type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { auditWorld, eventually } from './audit-world.ts';

let fx: ServiceFixture;
let world: Awaited<ReturnType<typeof auditWorld>>;
beforeAll(async () => {
  fx = await serviceFixture({ now: WEEKDAY });
  world = await auditWorld(fx);
});
afterAll(async () => {
  await world?.close();
  await fx?.close();
});

const answered = (ids: readonly string[]) =>
  new Set(fx.decisions.map((d) => d.requestId).filter((id) => ids.includes(id)));

describe('the audit trail across restarts', () => {
  it('a service restarted mid-stream continues the chain: no gap, one trail, every request recorded', async () => {
    const batch = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        signedRequest(fx.issuer, {
          sealTo: fx.sealTo,
          replyTopic: fx.replyTopic,
          time: WEEKDAY,
          ...(i % 2 ? { mint: { branchName: 'main' } } : { environment: 'staging' }),
        }),
      ),
    );
    const ids = batch.map((r) => r.event.id);
    let audit = await world.open();
    let service = await fx.start(undefined, { audit });
    const publishing = Promise.all(batch.map((r) => fx.publishRaw(r.signed.jws)));
    expect(await eventually(async () => answered(ids).size >= 8, 30_000)).toBe(true);
    await service.stop();
    await audit.close();
    // The stop really came mid-stream: the second run has requests left to decide.
    expect(answered(ids).size).toBeLessThan(60);
    const firstRun = audit.nextSeq;
    audit = await world.open();
    expect(audit.nextSeq).toBe(firstRun);
    service = await fx.start(undefined, { audit });
    await publishing;
    expect(await eventually(async () => answered(ids).size === 60, 60_000)).toBe(true);
    await service.stop();
    await audit.close();
    for (const source of ['file', 'topic', 'bucket'] as const) {
      const result = await world.verify(source);
      expect(result.ok, `${source}: ${result.ok ? '' : JSON.stringify(result.broken)}`).toBe(true);
      if (!result.ok) continue;
      expect(result.trails).toHaveLength(1);
      // Two runs, each closed with a checkpoint; nothing after the last one.
      expect(result.trails[0]?.checkpoints).toBeGreaterThanOrEqual(2);
      expect(result.trails[0]?.uncovered).toBe(0);
      const recorded = new Set(result.decisions.map((d) => d.record.requestId));
      expect(
        ids.every((id) => recorded.has(id)),
        source,
      ).toBe(true);
    }
  }, 120_000);

  it('records queued while S3 is down survive a restart and the next run mirrors them', async () => {
    await world.s3.down();
    let audit = await world.open();
    const service = await fx.start(undefined, { audit });
    const staged: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const { decision, requestId } = await fx.ask({
          environment: 'staging',
        });
        expect(decision?.verdict).toBe('allow');
        staged.push(requestId);
      }
      await service.stop();
      await audit.close(300);
    } finally {
      await world.s3.up();
    }
    const before = await world.sources.bucket.read();
    expect(staged.some((id) => before.lines.some((l) => l.includes(id)))).toBe(false);
    audit = await world.open();
    try {
      expect(await eventually(async () => audit.backlog().s3 === 0, 30_000)).toBe(true);
    } finally {
      await audit.close();
    }
    const result = await world.verify('bucket');
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(staged.every((id) => result.decisions.some((d) => d.record.requestId === id))).toBe(true);
  }, 120_000);

  it('a local trail restored from an old copy is not continued: the service stops, naming the mirror head it is behind', async () => {
    const path = join(world.config.dir, 'trail.jsonl');
    const whole = await readFile(path, 'utf8');
    const lines = whole.split('\n').filter(Boolean);
    // Back to the checkpoint over the genesis (seq 1): a backup from the first minute.
    await writeFile(path, `${lines.slice(0, 2).join('\n')}\n`);
    const refused = await world.open().catch((error: unknown) => error);
    expect(isGateError(refused, 'AUDIT_INVALID')).toBe(true);
    expect(String((refused as Error).message)).toMatch(
      /disagrees with the newest head in .*: the file is behind the witness: it ends at seq 1, the witness holds a signed head at seq \d+/,
    );
    // Put back, it agrees again and opens.
    await writeFile(path, whole);
    await (await world.open()).close();
  }, 120_000);
});
