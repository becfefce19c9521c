import { GateError } from '../errors.ts';
import type { AuditLogOptions } from './audit-log-options.ts';
import type { TrailSource } from './mirror.ts';
import type { PumpLog } from './mirror-pump.ts';
import { TrailFile } from './trail-file.ts';
import { checkWitness } from './witness.ts';

/**
 * Refuses to continue a local trail that disagrees with the newest head a mirror holds for
 * it (the state directory restored from an old copy, or swapped): it stops with the reason
 * rather than fork. A mirror that cannot be read is logged and skipped, as at start-up its
 * puts are: audited allows are denied until it answers.
 */
export async function agreeWithWitness(trail: TrailFile, witness: TrailSource, log: PumpLog): Promise<void> {
  let read: Awaited<ReturnType<TrailSource['read']>>;
  try {
    read = await witness.read();
  } catch (error) {
    log('warn', `audit: could not compare the local trail with a mirror: ${String(error)}`);
    return;
  }
  const local = (await trail.readFrom(0)).map(({ line }) => line);
  const verdict = await checkWitness(local, read.lines, { trail: trail.next.trail });
  if (!verdict.ok)
    throw new GateError(
      'AUDIT_INVALID',
      `the local trail ${trail.path} disagrees with the newest head in ${read.origin}: ${verdict.broken.reason}; not continuing it (restore the trail from the mirror, or start a new trail)`,
    );
}

/**
 * The local trail, opened and compared with every witness before anything is appended to it
 * (issue 15 §2): a trail that does not hold a head a mirror has for it is closed again and
 * the service does not start.
 */
export async function openAgreedTrail(
  options: Pick<AuditLogOptions, 'dir' | 'trailId' | 'rotation' | 'clock' | 'witnesses' | 'log'>,
): Promise<TrailFile> {
  const trail = await TrailFile.open(options.dir, options.trailId, {
    ...options.rotation,
    now: () => options.clock.now(),
  });
  try {
    for (const witness of options.witnesses ?? []) await agreeWithWitness(trail, witness, options.log);
  } catch (error) {
    await trail.close();
    throw error;
  }
  return trail;
}
