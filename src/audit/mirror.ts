import type { AuditEntry } from './entry.ts';

/** A write-once copy of the trail somewhere the service's host cannot rewrite (topic, bucket). */
export interface Mirror {
  /** For logs and metrics: `pulsar` or `s3`. */
  readonly name: string;
  /**
   * Stores one entry (its canonical line). Idempotent: storing an entry the mirror already
   * holds identically succeeds, so a retry after a lost acknowledgement is harmless.
   */
  put(entry: AuditEntry, line: string, deadline: number): Promise<void>;
  /** Whether a failure may pass by retrying (network, throttling, 5xx) or needs a person. */
  retryable(error: unknown): boolean;
  close(): Promise<void>;
}

/** Reads a whole stored trail back, for `audit verify` and `audit export`. */
export interface TrailSource {
  /** The stored lines, in the source's own order; `ordered` says whether that order is meaningful. */
  read(): Promise<{ lines: string[]; ordered: boolean; origin: string }>;
}
