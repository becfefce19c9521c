import { GateError, isGateError } from '../errors.ts';
import { ReadProgress } from '../service/read-progress.ts';
import { publisherAndReader } from '../transport/publisher-and-reader.ts';
import { positionOf, topicEnd } from '../transport/topic-end.ts';
import type { Attachment, Publisher, Transport } from '../transport/transport.ts';
import type { ApprovalBook } from './book.ts';
import type { RecordSeal } from './record-signing.ts';
import type { ApprovalRecord } from './records.ts';

/**
 * The approvals topic (APPROVALS_TOPIC, one non-partitioned topic: one order for every
 * replica), read from its start into this replica's ApprovalBook and tailed from then on. So
 * approvals reach every replica, and survive a restart: the records are the state. A record
 * counts only once the service's key verified it (record-signing.ts).
 */
export class ApprovalsTopic {
  readonly #p: TopicParts & { readonly publisher: Publisher; readonly reader: Attachment };
  readonly #progress: ReadProgress;
  #closed = false;

  private constructor(parts: TopicParts & { publisher: Publisher; reader: Attachment }) {
    this.#p = parts;
    this.#progress = new ReadProgress(`the approvals topic ${parts.topic}`, parts.timeoutMs);
  }

  static async open(parts: TopicParts): Promise<ApprovalsTopic> {
    const topic = new ApprovalsTopic({
      ...parts,
      ...(await publisherAndReader(parts.transport, parts.topic)),
    });
    void topic.#follow();
    return topic;
  }

  get healthy(): boolean {
    return !this.#progress.failed;
  }

  /** Everything any replica recorded before now is in the book once this resolves. */
  async catchUp(): Promise<void> {
    const end = await this.#p.transport.endOf(this.#p.topic);
    if (!end.empty) await this.#progress.until(end.reached);
  }

  /** Signs and publishes a record, then reads up to it: the book then holds it and all before it. */
  async append(record: ApprovalRecord): Promise<void> {
    const id = await this.#p.publisher.publish({
      payload: await this.#p.seal.sign(record),
      key: record.requestId,
    });
    const at = positionOf(id);
    if (at === undefined)
      throw new GateError('PULSAR_PROTOCOL', `Pulsar gave an unreadable message id on ${this.#p.topic}`);
    await this.#progress.until(topicEnd(at).reached);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#progress.fail(new GateError('PULSAR_CLOSED', `the approvals topic ${this.#p.topic} was closed`));
    await Promise.allSettled([this.#p.reader.close(), this.#p.publisher.close()]);
  }

  async #follow(): Promise<void> {
    for (;;) {
      if (this.#closed) return;
      const next = await this.#p.reader.receive(Date.now() + 60_000).then(
        (message) => ({ message }),
        (error: unknown) => ({ error }),
      );
      if ('error' in next) {
        if (isGateError(next.error, 'PULSAR_TIMEOUT')) continue;
        // The reader gave up: no approval can be counted on this replica until a restart.
        this.#progress.fail(next.error);
        return;
      }
      const { payload, messageId } = next.message;
      const record = await this.#p.seal.open(payload.toString('utf8'));
      if (record) this.#p.book.apply(record, this.#p.now());
      else
        this.#p.warn(
          `ignored a message on ${this.#p.topic} that is not an approval record signed by this service`,
        );
      this.#progress.advance(messageId);
    }
  }
}

interface TopicParts {
  readonly transport: Transport;
  readonly topic: string;
  readonly book: ApprovalBook;
  readonly seal: RecordSeal;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly warn: (message: string) => void;
}
