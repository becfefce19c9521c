import { GateError } from '../../errors.ts';
import type { Clock } from '../../time.ts';
import { Inbox } from '../inbox.ts';
import type { Attachment } from '../transport.ts';
import { untilDeadline } from '../until-deadline.ts';
import { nativeError } from './errors.ts';
import type { NativeClient, NativeMessage, NativeMessageId } from './load.ts';
import { toIncoming } from './subscription.ts';

export interface NativeReaderOptions {
  readonly earliest: NativeMessageId;
  readonly target: string;
  readonly clock: Clock;
  readonly onClose: () => void;
}

/**
 * A reader from the earliest message kept, pushed to us by the client's listener: the addon's
 * `readNext` parks a libuv pool thread while it waits (pulsar-client-node src/Reader.cc), and a
 * tailing reader waits most of the time. After a reconnect the C++ reader goes on after the
 * last message it delivered (ConsumerImpl::clearReceiveQueue).
 */
export async function openNativeReader(
  client: NativeClient,
  topic: string,
  options: NativeReaderOptions,
): Promise<Attachment> {
  const inbox = new Inbox<NativeMessage>(options.clock);
  const reader = await client
    .createReader({
      topic,
      startMessageId: options.earliest,
      receiverQueueSize: 1000,
      listener: (message: NativeMessage) => inbox.push(message),
    })
    .catch((error: unknown) => {
      throw nativeError(error, `reading ${topic}`, options.target, { topic, action: 'consume' });
    });
  const receive = async (deadline: number) => toIncoming(await inbox.next(deadline, `message on ${topic}`));
  let closed = false;
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
