import { GateError } from '../../errors.ts';
import { positionOf, type TopicEnd, topicEnd } from '../topic-end.ts';
import { nativeError } from './errors.ts';
import type { NativeClient, NativeMessage, NativeMessageId, NativeReader } from './load.ts';
import { readToEnd } from './read-to-end.ts';

export interface TopicEndsOptions {
  /** A client of its own (see below); closed and opened again after a failure. */
  readonly openClient: () => Promise<NativeClient>;
  readonly earliest: () => NativeMessageId;
  readonly target: string;
  /** How long to wait for a probe that lost its connection to get it back. */
  readonly connectWaitMs?: number;
}

export interface HistoryLimits {
  readonly stop?: () => boolean;
  readonly enough?: () => boolean;
}

interface Probe {
  readonly reader: Promise<NativeReader>;
  last?: string;
  turn: Promise<unknown>;
}

/** How long `close` waits for reads in flight before it leaves their readers open. */
const CLOSE_WAIT_MS = 15_000;

/**
 * Where a topic ends, over the binary protocol: one probe reader per topic reads what is
 * there and asks `hasNext()`, which the C++ client answers from its queue or with one
 * GetLastMessageId command (PulsarApi.proto CommandGetLastMessageId; pulsar-client-cpp
 * ConsumerImpl::hasMessageAvailableAsync). When it says no more, the last message the probe
 * read is the end. Readers of the topic compare their ids with it (topic-end.ts): both are
 * serialized MessageIdData. Topics read to their end are published without batching, so
 * ledger and entry name one message. `history` reads a topic from its first message the
 * same way, for the reader that must not miss it (reader.ts).
 *
 * The probes live on a client of their own whose credential is a fixed string: `hasNext()`
 * holds this thread (read-to-end.ts), and a token function would be called from the
 * client's I/O thread and wait for this (blocked) thread.
 */
export class NativeTopicEnds {
  readonly #options: TopicEndsOptions;
  readonly #probes = new Map<string, Probe>();
  readonly #reading = new Set<Promise<unknown>>();
  #client: Promise<NativeClient> | undefined;
  #closing = false;

  constructor(options: TopicEndsOptions) {
    this.#options = options;
  }

  endOf(topic: string): Promise<TopicEnd> {
    let probe = this.#probes.get(topic);
    if (probe === undefined) {
      const reader = this.#reader(topic, 'pulsar-gate-end');
      probe = { reader, turn: Promise.resolve() };
      this.#probes.set(topic, probe);
    }
    const current = probe;
    const turn = current.turn.then(() => this.#track(this.#probeToEnd(topic, current)));
    current.turn = turn.catch(() => {});
    return turn.catch(async (error: unknown) => {
      // Start over with a fresh client (and credential) on the next call.
      await this.close();
      throw this.#error(error, `asking where ${topic} ends`, topic);
    });
  }

  /**
   * The topic's messages from its first, to the end it has now or until `enough` says so
   * (asked between messages); the last one's id. `stop` abandons the read (PULSAR_CLOSED).
   */
  async history(
    topic: string,
    onMessage: (message: NativeMessage) => void,
    until: HistoryLimits = {},
  ): Promise<string | undefined> {
    const opened = this.#reader(topic, 'pulsar-gate-history');
    let last: string | undefined;
    const read = async () => {
      const reader = await opened;
      try {
        await readToEnd(
          reader,
          topic,
          (message) => {
            last = message.getMessageId().serialize().toString('base64');
            onMessage(message);
          },
          {
            ...this.#readOptions,
            stop: () => this.#closing || (until.stop?.() ?? false),
            ...(until.enough ? { enough: until.enough } : {}),
          },
        );
      } finally {
        // No read is out once readToEnd has returned: closing is safe.
        await reader.close().catch(() => {});
      }
    };
    await this.#track(read()).catch((error: unknown) => {
      throw this.#error(error, `reading ${topic}`, topic);
    });
    return last;
  }

  /** Closes the probes once no read is out (a read out when its reader closes corrupts the heap). */
  async close(): Promise<void> {
    this.#closing = true;
    const client = this.#client;
    const probes = [...this.#probes.values()];
    this.#client = undefined;
    this.#probes.clear();
    const quiet = await Promise.race([
      Promise.allSettled([...this.#reading]).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS, false).unref()),
    ]);
    this.#closing = false;
    // A read still out waits on a broker that is gone: leave its reader to the process's exit.
    if (!quiet) return;
    await Promise.allSettled(probes.map(async (p) => (await p.reader).close()));
    await client?.then((c) => c.close()).catch(() => {});
  }

  get #readOptions() {
    return {
      stop: () => this.#closing,
      ...(this.#options.connectWaitMs === undefined ? {} : { connectWaitMs: this.#options.connectWaitMs }),
    };
  }

  #reader(topic: string, readerName: string): Promise<NativeReader> {
    this.#client ??= this.#options.openClient();
    return this.#client.then((c) =>
      c.createReader({ topic, startMessageId: this.#options.earliest(), readerName }),
    );
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#reading.add(work);
    const done = () => this.#reading.delete(work);
    work.then(done, done);
    return work;
  }

  #error(error: unknown, doing: string, topic: string): GateError {
    return nativeError(error, doing, this.#options.target, { topic, action: 'consume' });
  }

  async #probeToEnd(topic: string, probe: Probe): Promise<TopicEnd> {
    const reader = await probe.reader;
    await readToEnd(
      reader,
      topic,
      (message) => {
        probe.last = message.getMessageId().serialize().toString('base64');
      },
      this.#readOptions,
    );
    if (probe.last === undefined) return { empty: true, reached: () => true };
    const at = positionOf(probe.last);
    if (at === undefined) throw new GateError('PULSAR_PROTOCOL', `unreadable message id on ${topic}`);
    return topicEnd(at);
  }
}
