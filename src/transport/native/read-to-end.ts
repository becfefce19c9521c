import { GateError } from '../../errors.ts';
import type { NativeMessage, NativeReader } from './load.ts';

/**
 * Reads what a reader has left up to the topic's end, as `hasNext()` sees it, handing each
 * message on; returns how many it read. Once `stop` says so it throws PULSAR_CLOSED rather
 * than return early: an end that was not reached must not pass for one.
 *
 * The only safe way to call `readNext` in pulsar-client-node 1.x: on any failure (time-out,
 * close) its worker frees a message pointer it never set (Reader.cc ReaderReadNextWorker:
 * `pulsar_message_t *rawMessage;` is freed whatever the result), which corrupts the heap. So
 * it is called without a time-out and only after `hasNext()` said a message is there, and
 * nobody closes the reader while a call is out (`stop` ends the loop between calls).
 *
 * `hasNext()` is synchronous: it holds this thread for one GetLastMessageId round trip
 * (PulsarApi.proto; pulsar-client-cpp ConsumerImpl::hasMessageAvailableAsync) when nothing is
 * queued, bounded by the client's operation time-out. It is asked only of a connected reader.
 */
export async function readToEnd(
  reader: NativeReader,
  topic: string,
  onMessage: (message: NativeMessage) => void,
  options: {
    readonly connectWaitMs?: number;
    readonly stop?: () => boolean;
    /** Asked between messages: true ends the read where it is, as an end the caller chose. */
    readonly enough?: () => boolean;
  } = {},
): Promise<number> {
  let read = 0;
  for (;;) {
    if (options.stop?.())
      throw new GateError('PULSAR_CLOSED', `reading ${topic} stopped: the client is closing`);
    if (options.enough?.()) return read;
    await connected(reader, topic, options.connectWaitMs ?? 10_000);
    if (!reader.hasNext()) return read;
    onMessage(await reader.readNext());
    read++;
  }
}

async function connected(reader: NativeReader, topic: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  while (!reader.isConnected()) {
    if (Date.now() > until)
      throw new GateError('PULSAR_UNREACHABLE', `the reader of ${topic} has no connection to Pulsar`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
