/**
 * The service's Prometheus metrics, in the text exposition format (Prometheus
 * "Exposition formats", text-based format 0.0.4). Small enough not to need a client library.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly #decisions = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  readonly #buckets = BUCKETS.map(() => 0);
  #count = 0;
  #sum = 0;
  #deadLettered = 0;
  #errors = 0;
  #auditBacklog: () => Readonly<Record<string, number>> = () => ({});

  decided(verdict: string, seconds: number): void {
    this.#decisions.set(verdict, (this.#decisions.get(verdict) ?? 0) + 1);
    this.#count++;
    this.#sum += seconds;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.#buckets[i] = (this.#buckets[i] ?? 0) + 1;
    });
  }

  verificationFailed(reason: string): void {
    this.#failures.set(reason, (this.#failures.get(reason) ?? 0) + 1);
  }

  deadLettered(): void {
    this.#deadLettered++;
  }

  processingError(): void {
    this.#errors++;
  }

  /** Audit entries each mirror has yet to confirm, read at every scrape. */
  watchAuditBacklog(read: () => Readonly<Record<string, number>>): void {
    this.#auditBacklog = read;
  }

  get decisions(): number {
    return this.#count;
  }

  render(): string {
    const lines = [
      '# HELP pulsar_gate_decisions_total Decisions published, by verdict.',
      '# TYPE pulsar_gate_decisions_total counter',
      ...[...this.#decisions].map(([verdict, n]) => `pulsar_gate_decisions_total{verdict="${verdict}"} ${n}`),
      '# HELP pulsar_gate_decision_seconds Time from receiving a request to publishing its decision.',
      '# TYPE pulsar_gate_decision_seconds histogram',
      ...BUCKETS.map(
        (bound, i) => `pulsar_gate_decision_seconds_bucket{le="${bound}"} ${this.#buckets[i] ?? 0}`,
      ),
      `pulsar_gate_decision_seconds_bucket{le="+Inf"} ${this.#count}`,
      `pulsar_gate_decision_seconds_sum ${this.#sum}`,
      `pulsar_gate_decision_seconds_count ${this.#count}`,
      '# HELP pulsar_gate_verification_failures_total Requests whose identity or replay checks failed, by reason.',
      '# TYPE pulsar_gate_verification_failures_total counter',
      ...[...this.#failures].map(
        ([reason, n]) => `pulsar_gate_verification_failures_total{reason="${reason}"} ${n}`,
      ),
      '# HELP pulsar_gate_dead_lettered_total Messages sent to the dead-letter topic.',
      '# TYPE pulsar_gate_dead_lettered_total counter',
      `pulsar_gate_dead_lettered_total ${this.#deadLettered}`,
      '# HELP pulsar_gate_processing_errors_total Messages negatively acknowledged after a transient failure.',
      '# TYPE pulsar_gate_processing_errors_total counter',
      `pulsar_gate_processing_errors_total ${this.#errors}`,
      '# HELP pulsar_gate_audit_backlog Audit trail entries a mirror has not confirmed yet.',
      '# TYPE pulsar_gate_audit_backlog gauge',
      ...Object.entries(this.#auditBacklog()).map(
        ([mirror, n]) => `pulsar_gate_audit_backlog{mirror="${mirror}"} ${n}`,
      ),
    ];
    return `${lines.join('\n')}\n`;
  }
}
