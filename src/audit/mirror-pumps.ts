import { GateError, isGateError } from '../errors.ts';
import { sleep } from '../time.ts';
import type { AuditLogOptions } from './audit-log-options.ts';
import { readCursor } from './mirror-cursor.ts';
import { MirrorPump } from './mirror-pump.ts';
import type { TrailFile } from './trail-file.ts';

/**
 * One running pump per mirror, each starting after the last seq that mirror confirmed (its
 * cursor), with the trail's entries since then queued first.
 */
export async function startMirrorPumps(options: AuditLogOptions, trail: TrailFile): Promise<MirrorPump[]> {
  const pumps: MirrorPump[] = [];
  for (const mirror of options.mirrors) {
    const pump = new MirrorPump({
      mirror,
      dir: options.dir,
      mirrored: await readCursor(options.dir, mirror.name),
      log: options.log,
      clock: options.clock,
      sleep: options.sleep ?? sleep,
    });
    // The outbox: whatever this mirror had not confirmed when the last run stopped.
    for (const { entry, line } of await trail.readFrom(pump.mirrored + 1)) pump.enqueue(entry, line);
    pump.start();
    pumps.push(pump);
  }
  return pumps;
}

/**
 * Resolves once every mirror holds `seq`. A mirror that did not confirm it by the deadline
 * fails with its AUDIT_UNAVAILABLE, which then also carries the record's seq: the deny that
 * replaces an unconfirmed allow names the record it replaces (audit-gate.ts).
 */
export async function flushAll(pumps: readonly MirrorPump[], seq: number, deadline: number): Promise<void> {
  try {
    await Promise.all(pumps.map((p) => p.flushTo(seq, deadline)));
  } catch (error) {
    if (!isGateError(error)) throw error;
    throw new GateError(error.code, error.message, {
      cause: error.cause,
      details: { ...error.details, seq: String(seq) },
    });
  }
}
