import { GateError } from '../../errors.ts';
import type { Clock } from '../../time.ts';
import { Inbox } from '../inbox.ts';
import { type Position, positionOf } from '../topic-end.ts';
import type { Attachment } from '../transport.ts';
import { untilDeadline } from '../until-deadline.ts';
import { nativeError } from './errors.ts';
import type { NativeClient, NativeMessage, NativeMessageId } from './load.ts';
import { toIncoming } from './subscription.ts';
import type { HistoryLimits } from './topic-ends.ts';

export interface NativeReaderOptions {
  readonly earliest: NativeMessageId;
  readonly target: string;
  readonly clock: Clock;
  /** Reads the topic from its first message to the end it has now, or less (topic-ends.ts history). */
  readonly history: (
    topic: string,
    onMessage: (message: NativeMessage) => void,
    until: HistoryLimits,
  ) => Promise<string | undefined>;
  readonly onClose: () => void;
}

/**
 * A reader from the earliest message kept, whose messages the client's listener pushes to us:
 * `readNext` would park a libuv pool thread for as long as a tailing reader waits, and cannot
 * fail safely (read-to-end.ts).
 *
 * The listener alone would lose the first messages: pulsar-client-node (Reader.cc
 * ReaderListener) takes the reader's JS object on the C++ thread, and until createReader's
 * promise has resolved on this thread it is null and the message is dropped. So what the
 * listener is sent before then (a prefix of the topic, all of it there before the history
 * read below begins) is read again from the topic's first message by a second reader, up to
 * the first message the listener did hand over (or to the end the topic has, if it handed over
 * none yet): the listener's messages up to where that read stopped are held back and dropped,
 * the rest follow in order. So a long topic is read twice only as far as the listener lost. A replica's decision table (decision-
 * ledger.ts) reads every decision from the first, as it does over the WebSocket API. After a
 * reconnect the C++ reader goes on after the last message it delivered
 * (ConsumerImpl::clearReceiveQueue).
 */
export async function openNativeReader(
  client: NativeClient,
  topic: string,
  options: NativeReaderOptions,
): Promise<Attachment> {
  const inbox = new Inbox<NativeMessage>(options.clock);
  const live: NativeMessage[] = [];
  // 'history': the listener's messages wait in `live`; 'failed': nothing more is handed out.
  let state: 'history' | 'live' | 'failed' = 'history';
  let end: Position | undefined;
  // Where the listener's first message handed over stands: the listener lost what came before.
  let firstLive: Position | undefined;
  const unreadable = () => {
    state = 'failed';
    inbox.fail(new GateError('PULSAR_PROTOCOL', `unreadable message id on ${topic}`));
  };
  const pass = (message: NativeMessage): void => {
    if (end !== undefined) {
      const at = positionOf(message.getMessageId().serialize().toString('base64'));
      // Without a position it cannot be told from a copy of the history: fail closed.
      if (at === undefined) {
        unreadable();
        return;
      }
      if (!after(at, end)) return;
      end = undefined; // in order from here: no more to drop
    }
    inbox.push(message);
  };
  const reader = await client
    .createReader({
      topic,
      startMessageId: options.earliest,
      receiverQueueSize: 1000,
      listener: (message: NativeMessage) => {
        if (state === 'history') {
          if (live.push(message) === 1)
            firstLive = positionOf(message.getMessageId().serialize().toString('base64'));
        } else if (state === 'live') pass(message);
      },
    })
    .catch((error: unknown) => {
      throw nativeError(error, `reading ${topic}`, options.target, { topic, action: 'consume' });
    });
  let closed = false;
  let historyAt: Position | undefined;
  // Enough once the history has read as far as the listener's first message.
  const enough = () => firstLive !== undefined && historyAt !== undefined && !after(firstLive, historyAt);
  void options
    .history(
      topic,
      (message) => {
        historyAt = positionOf(message.getMessageId().serialize().toString('base64'));
        inbox.push(message);
      },
      { stop: () => closed, enough },
    )
    .then(
      (last) => {
        end = last === undefined ? undefined : positionOf(last);
        if (last !== undefined && end === undefined) {
          unreadable();
          return;
        }
        state = 'live';
        for (const message of live.splice(0)) pass(message);
      },
      (error: unknown) => {
        // Without the history the listener's messages could follow a gap: none of them.
        state = 'failed';
        live.length = 0;
        inbox.fail(error);
      },
    );
  const receive = async (deadline: number) => toIncoming(await inbox.next(deadline, `message on ${topic}`));
  return {
    receive,
    messages: (deadline: number) => untilDeadline(receive, deadline),
    close: async () => {
      if (closed) return;
      closed = true;
      options.onClose();
      inbox.fail(new GateError('PULSAR_CLOSED', `the reader of ${topic} was closed`));
      await reader.close().catch(() => {});
    },
  };
}

const after = (at: Position, end: Position): boolean =>
  at.ledgerId > end.ledgerId || (at.ledgerId === end.ledgerId && at.entryId > end.entryId);
