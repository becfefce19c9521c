import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { CheckpointSigner } from '../../src/audit/checkpoint.ts';
import type { Mirror } from '../../src/audit/mirror.ts';
import { GateError } from '../../src/errors.ts';
import type { Sleep } from '../../src/time.ts';
import { sampleRecord } from './trail-fixture.ts';

const signer: CheckpointSigner = {
  kid: 'test',
  sign: async (entry) => ({ ...entry, signature: 'not-checked-here' }),
};

/** A mirror that holds every put until released, as one that stopped answering does. */
function stalledMirror() {
  const deadlines: number[] = [];
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const mirror: Mirror = {
    name: 'stalled',
    put: async (_entry, _line, deadline) => {
      deadlines.push(deadline);
      await released;
    },
    retryable: () => true,
    close: async () => {},
  };
  return { mirror, deadlines, release };
}

describe('AuditLog keeps time by the injected clock', () => {
  it('a durable write gives up at the mirror deadline on that clock, and stamps entries with it', async () => {
    // A clock far from the wall clock: any Date.now() left in the path would show.
    const clock = { now: () => 1_000 };
    const waits: number[] = [];
    const sleep: Sleep = async (ms) => {
      waits.push(ms);
    };
    const { mirror, deadlines, release } = stalledMirror();
    const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-audit-log-'));
    const log = await AuditLog.open({
      dir,
      mirrors: [mirror],
      signer,
      auditedEnvironments: ['production'],
      mirrorTimeoutMs: 2_500,
      checkpointIntervalMs: 3_600_000,
      clock,
      sleep,
      log: () => {},
    });
    try {
      const refused = await log.write(sampleRecord(0), true).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(GateError);
      // seq 0 is the trail's genesis, seq 1 the checkpoint over it, seq 2 the first decision.
      expect(refused).toMatchObject({ code: 'AUDIT_UNAVAILABLE', details: { seq: '2' } });
      // The wait was the whole timeout: deadline (1 000 + 2 500) minus now (1 000).
      expect(waits).toEqual([2_500]);
      // The pump's own attempt deadline is on the same clock (10 s per attempt).
      expect(deadlines).toEqual([11_000]);
      const [first] = (await readFile(join(dir, 'trail.jsonl'), 'utf8')).split('\n');
      expect(JSON.parse(first ?? '{}')).toMatchObject({
        seq: 0,
        type: 'genesis',
        kid: 'test',
        at: new Date(1_000).toISOString(),
      });
    } finally {
      release();
      await log.close();
    }
  });
});
