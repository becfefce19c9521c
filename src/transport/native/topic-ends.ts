import { GateError } from '../../errors.ts';
import { positionOf, type TopicEnd, topicEnd } from '../topic-end.ts';
import { nativeError } from './errors.ts';
import type { NativeClient, NativeMessageId, NativeReader } from './load.ts';

export interface TopicEndsOptions {
  /** A client of its own (see below); closed and opened again after a failure. */
  readonly openClient: () => Promise<NativeClient>;
  readonly earliest: () => NativeMessageId;
  readonly target: string;
  /** How long to wait for a probe that lost its connection to get it back. */
  readonly connectWaitMs?: number;
}

/**
 * Where a topic ends, over the binary protocol: one probe reader per topic reads what is
 * there and asks `hasNext()`, which the C++ client answers from its queue or with one
 * GetLastMessageId command (PulsarApi.proto CommandGetLastMessageId; pulsar-client-cpp
 * ConsumerImpl::hasMessageAvailableAsync). When it says no more, the last message the probe
 * read is the end. Readers of the topic compare their ids with it (topic-end.ts): both are
 * serialized MessageIdData. Topics read to their end are published without batching, so
 * ledger and entry name one message.
 *
 * `hasNext()` is synchronous in pulsar-client-node: it holds this thread for one round trip
 * (bounded by the client's operation timeout). It is asked only of a connected probe, and the
 * probes live on a client of their own whose credential is a fixed string: a token function
 * would be called from the client's I/O thread and wait for this (blocked) thread.
 */
export class NativeTopicEnds {
  readonly #options: TopicEndsOptions;
  readonly #probes = new Map<
    string,
    { reader: Promise<NativeReader>; last?: string; turn: Promise<unknown> }
  >();
  #client: Promise<NativeClient> | undefined;

  constructor(options: TopicEndsOptions) {
    this.#options = options;
  }

  endOf(topic: string): Promise<TopicEnd> {
    let probe = this.#probes.get(topic);
    if (probe === undefined) {
      this.#client ??= this.#options.openClient();
      const client = this.#client;
      const reader = client.then((c) =>
        c.createReader({ topic, startMessageId: this.#options.earliest(), readerName: 'pulsar-gate-end' }),
      );
      probe = { reader, turn: Promise.resolve() };
      this.#probes.set(topic, probe);
    }
    const current = probe;
    const turn = current.turn.then(() => this.#readToEnd(topic, current));
    current.turn = turn.catch(() => {});
    return turn.catch(async (error: unknown) => {
      // Start over with a fresh client (and credential) on the next call.
      await this.close();
      throw nativeError(error, `asking where ${topic} ends`, this.#options.target, {
        topic,
        action: 'consume',
      });
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    const probes = [...this.#probes.values()];
    this.#client = undefined;
    this.#probes.clear();
    await Promise.allSettled(probes.map(async (p) => (await p.reader).close()));
    await client?.then((c) => c.close()).catch(() => {});
  }

  async #readToEnd(
    topic: string,
    probe: { reader: Promise<NativeReader>; last?: string },
  ): Promise<TopicEnd> {
    const reader = await probe.reader;
    for (;;) {
      await this.#connected(reader, topic);
      if (!reader.hasNext()) break;
      // hasNext said yes: the message is queued or on its way, so this returns at once.
      const message = await reader.readNext(10_000);
      probe.last = message.getMessageId().serialize().toString('base64');
    }
    if (probe.last === undefined) return { empty: true, reached: () => true };
    const at = positionOf(probe.last);
    if (at === undefined) throw new GateError('PULSAR_PROTOCOL', `unreadable message id on ${topic}`);
    return topicEnd(at);
  }

  async #connected(reader: NativeReader, topic: string): Promise<void> {
    const until = Date.now() + (this.#options.connectWaitMs ?? 10_000);
    while (!reader.isConnected()) {
      if (Date.now() > until)
        throw new GateError('PULSAR_UNREACHABLE', `the reader of ${topic} has no connection to Pulsar`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
