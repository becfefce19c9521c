import { GateError, isGateError } from '../errors.ts';
import { publisherAndReader } from '../transport/publisher-and-reader.ts';
import { positionOf, topicEnd } from '../transport/topic-end.ts';
import type { Attachment, Publisher, Transport } from '../transport/transport.ts';
import { type DecisionRecord, parseDecisionRecord } from './decision-record.ts';
import type { DecisionTable, ReplayQuestion, ReplayVerdict } from './decision-table.ts';
import { Coalesced, KeyedSerializer } from './key-lock.ts';
import type { ReplayPort, Settled } from './ports.ts';
import { ReadProgress } from './read-progress.ts';

/**
 * P2 across replicas, through Pulsar: every decision is a record on the decisions topic
 * (one non-partitioned topic, so one order every replica reads), and every replica tails it
 * into its DecisionTable. Before a step's request is checked, the replica reads the topic to
 * its end (what any replica decided before is known); after it signs a decision it publishes
 * the record, reads up to that record, and lets the table say which decision stands: the
 * first for the request id, the first key for the step. A replica that lost the race (a
 * copy decided elsewhere first, a zombie replica back after a partition) never publishes its
 * own: it answers with the one that stands, or with a deny for the step's second key.
 * Within the replica, a step's requests run one at a time (KeyedSerializer).
 */
export class DecisionLedger implements ReplayPort {
  readonly #transport: Transport;
  readonly #topic: string;
  readonly #table: DecisionTable;
  readonly #publisher: Publisher;
  readonly #reader: Attachment;
  readonly #steps = new KeyedSerializer();
  readonly #catchUps = new Coalesced();
  readonly #progress: ReadProgress;
  readonly #warn: (message: string) => void;
  #closed = false;

  private constructor(o: LedgerParts) {
    this.#transport = o.transport;
    this.#topic = o.topic;
    this.#table = o.table;
    this.#publisher = o.publisher;
    this.#reader = o.reader;
    this.#progress = new ReadProgress(`the decisions topic ${o.topic}`, o.timeoutMs);
    this.#warn = o.warn;
  }

  static async open(options: Omit<LedgerParts, 'publisher' | 'reader'>): Promise<DecisionLedger> {
    const ends = await publisherAndReader(options.transport, options.topic);
    const ledger = new DecisionLedger({ ...options, ...ends });
    void ledger.#tail();
    return ledger;
  }

  withStep<T>(stepUuid: string, task: () => Promise<T>): Promise<T> {
    return this.#steps.run(stepUuid, async () => {
      // One look at the topic's end serves every request that asked before it began.
      await this.#catchUps.run(async () => {
        const end = await this.#transport.endOf(this.#topic);
        if (!end.empty) await this.#progress.until(end.reached);
      });
      return task();
    });
  }

  /** False once the reader gave up: every decision fails until a restart (for /readyz). */
  get healthy(): boolean {
    return !this.#progress.failed;
  }

  check(input: ReplayQuestion): ReplayVerdict {
    return this.#table.check(input);
  }

  async record(record: DecisionRecord): Promise<Settled> {
    const id = await this.#publisher.publish({ payload: JSON.stringify(record), key: record.requestId });
    const at = positionOf(id);
    if (at === undefined)
      throw new GateError('PULSAR_PROTOCOL', `Pulsar gave an unreadable message id on ${this.#topic}`);
    await this.#progress.until(topicEnd(at).reached);
    const stands = this.#table.decisionFor(record.requestId);
    if (stands?.decisionJws === record.decisionJws) return { kind: 'recorded' };
    if (stands) return { kind: 'superseded', record: stands };
    return { kind: 'second-key' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#progress.fail(new GateError('PULSAR_CLOSED', `the decisions topic ${this.#topic} was closed`));
    await Promise.allSettled([this.#reader.close(), this.#publisher.close()]);
  }

  async #tail(): Promise<void> {
    while (!this.#closed) {
      try {
        const message = await this.#reader.receive(Date.now() + 60_000);
        const record = parseDecisionRecord(message.payload.toString('utf8'));
        if (record) this.#table.apply(record);
        else this.#warn(`ignored a message on ${this.#topic} that is not a decision record`);
        this.#progress.advance(message.messageId);
      } catch (error) {
        if (isGateError(error, 'PULSAR_TIMEOUT')) continue;
        // The reader gave up (reconnect window over, refused): fail closed from now on.
        this.#progress.fail(error);
        return;
      }
    }
  }
}

interface LedgerParts {
  readonly transport: Transport;
  readonly topic: string;
  readonly table: DecisionTable;
  readonly publisher: Publisher;
  readonly reader: Attachment;
  /** How long a catch-up or a record's read-back may take before the request is redelivered. */
  readonly timeoutMs: number;
  readonly warn: (message: string) => void;
}
