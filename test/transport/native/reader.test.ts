// The native reader's stitching (reader.ts): the addon's listener may lose the first messages
// of a topic (the real loss is provoked in the transport contract, contract.ts); here a fake
// client loses them on purpose, and the history read must fill the gap exactly once.
import { describe, expect, it } from 'vitest';
import { GateError } from '../../../src/errors.ts';
import { systemClock } from '../../../src/time.ts';
import type { NativeClient, NativeMessage, NativeMessageId } from '../../../src/transport/native/load.ts';
import { openNativeReader } from '../../../src/transport/native/reader.ts';

const idOf = (entry: number): NativeMessageId => ({
  // MessageIdData (PulsarApi.proto): ledgerId = 7 (field 1), entryId (field 2), as varints.
  serialize: () => Buffer.from([0x08, 7, 0x10, entry]),
  toString: () => `7:${entry}`,
});
const message = (entry: number): NativeMessage => ({
  getData: () => Buffer.from(`m${entry}`),
  getProperties: () => ({}),
  // Entry 99 stands for an id the client serialized into something unreadable.
  getMessageId: () =>
    entry === 99 ? { serialize: () => Buffer.from([0xff]), toString: () => '?' } : idOf(entry),
  getPublishTimestamp: () => 0,
  getRedeliveryCount: () => 0,
  getPartitionKey: () => '',
});

interface Scene {
  /** The second reader's read; `enough` is asked between messages, as read-to-end.ts asks it. */
  readonly history: (
    onMessage: (m: NativeMessage) => void,
    enough: () => boolean,
  ) => Promise<string | undefined>;
  /** What the listener is given (a prefix lost, as the addon may), before and after history. */
  readonly before: number[];
  readonly after: number[];
}

async function readAll(scene: Scene, count: number): Promise<{ seen: string[]; error?: unknown }> {
  let listener: (m: NativeMessage) => void = () => {};
  let historyDone: () => void = () => {};
  const unused = () => Promise.reject(new Error('not used by a reader'));
  const client: NativeClient = {
    createProducer: unused,
    subscribe: unused,
    close: async () => null,
    createReader: async (config) => {
      const listen = config.listener;
      if (typeof listen !== 'function') throw new Error('the reader must be given a listener');
      listener = (m) => listen(m);
      return { readNext: unused, hasNext: () => false, isConnected: () => true, close: async () => null };
    },
  };
  const reader = await openNativeReader(client, 'persistent://t/n/x', {
    earliest: idOf(0),
    target: 'pulsar://broker:6650',
    clock: systemClock,
    history: async (_topic, onMessage, until) => {
      try {
        for (const n of scene.before) listener(message(n)); // while the history is read
        return await scene.history(onMessage, until.enough ?? (() => false));
      } finally {
        queueMicrotask(() => historyDone());
      }
    },
    onClose: () => {},
  });
  await new Promise<void>((resolve) => {
    historyDone = resolve;
  });
  for (const n of scene.after) listener(message(n));
  const seen: string[] = [];
  try {
    for (let i = 0; i < count; i++) seen.push((await reader.receive(Date.now() + 1_000)).payload.toString());
    return { seen };
  } catch (error) {
    return { seen, error };
  } finally {
    await reader.close();
  }
}

/** A topic's history; `read` counts what the second reader read before it was told enough. */
const historyOf =
  (entries: number[], read: number[] = []) =>
  async (onMessage: (m: NativeMessage) => void, enough: () => boolean) => {
    let last: number | undefined;
    for (const n of entries) {
      if (enough()) break;
      onMessage(message(n));
      read.push(n);
      last = n;
    }
    return last === undefined ? undefined : idOf(last).serialize().toString('base64');
  };

describe('openNativeReader', () => {
  it('fills the prefix the listener lost from the history, each message once, in order', async () => {
    const { seen } = await readAll(
      { history: historyOf([1, 2, 3, 4, 5]), before: [3, 4, 5, 6], after: [7] },
      7,
    );
    expect(seen).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  });

  it('when the listener lost the history end itself, goes on from the next message', async () => {
    const { seen } = await readAll({ history: historyOf([1, 2, 3]), before: [], after: [4, 5] }, 5);
    expect(seen).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('an empty topic: everything the listener gets', async () => {
    expect((await readAll({ history: historyOf([]), before: [1], after: [2] }, 2)).seen).toEqual([
      'm1',
      'm2',
    ]);
  });

  it('a failed history read ends the reader after what it read, and nothing of the listener follows', async () => {
    const failing = async (onMessage: (m: NativeMessage) => void) => {
      onMessage(message(1));
      throw new GateError('PULSAR_UNREACHABLE', 'the reader of x has no connection to Pulsar');
    };
    const { seen, error } = await readAll({ history: failing, before: [3], after: [4] }, 3);
    expect(seen).toEqual(['m1']);
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('PULSAR_UNREACHABLE');
  });

  it('a listener message whose id cannot be read after the history fails the reader: it cannot be told from a copy', async () => {
    const { seen, error } = await readAll({ history: historyOf([1, 2]), before: [99], after: [3] }, 4);
    expect(seen).toEqual(['m1', 'm2']);
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('PULSAR_PROTOCOL');
  });
});
