import type { Clock, Sleep } from '../time.ts';
import type { CheckpointSigner } from './checkpoint.ts';
import type { Mirror, TrailSource } from './mirror.ts';
import type { PumpLog } from './mirror-pump.ts';

export interface AuditLogOptions {
  /** The state directory's audit folder: the local trail and the mirrors' cursors. */
  readonly dir: string;
  readonly trailId?: string | undefined;
  readonly mirrors: readonly Mirror[];
  /**
   * The mirrors read back (issue 15 §2): at open, a local trail that does not hold a head one
   * of them has for it identically — cut back, or forked — stops the service.
   */
  readonly witnesses?: readonly TrailSource[];
  readonly signer: CheckpointSigner;
  /** Environment names whose `allow` waits for every mirror; `*` means all. */
  readonly auditedEnvironments: readonly string[];
  readonly mirrorTimeoutMs: number;
  readonly checkpointIntervalMs: number;
  /** When the trail file starts a new segment, at a checkpoint (issue 15 §5); absent or 0: never. */
  readonly rotation?: { readonly bytes?: number; readonly ms?: number };
  /** Record and checkpoint times and every deadline are read from this clock. */
  readonly clock: Clock;
  /** How the mirror pumps wait (deadlines, retry backoff); default real time. */
  readonly sleep?: Sleep;
  readonly log: PumpLog;
}
