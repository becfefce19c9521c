import type { Transport } from '../transport/transport.ts';
import { ApprovalsTopic } from './approvals-topic.ts';
import { ApprovalBook } from './book.ts';
import { ApprovalDesk, type DeskParts } from './desk.ts';
import type { RecordSeal } from './record-signing.ts';

/** A replica's approvals desk on the approvals topic, read from its start before it serves. */
export async function openApprovalDesk(
  parts: Omit<DeskParts, 'topic' | 'book'> & {
    readonly transport: Transport;
    /** APPROVALS_TOPIC. */
    readonly topicName: string;
    /** How approval records are signed and checked (record-signing.ts, load-record-seal.ts). */
    readonly seal: RecordSeal;
    readonly warn: (message: string) => void;
    /** How often requests whose window closed are denied (default 15 s). */
    readonly sweepMs?: number;
  },
): Promise<{ readonly desk: ApprovalDesk; close(): Promise<void> }> {
  // Settled and expired requests are kept a day past their window, then only the topic has them.
  const book = new ApprovalBook(86_400_000);
  const { transport, topicName, seal, warn, sweepMs, ...desk } = parts;
  const topic = await ApprovalsTopic.open({
    transport,
    topic: topicName,
    book,
    seal,
    timeoutMs: 10_000,
    now: parts.settle.clock.now,
    warn,
  });
  await topic.catchUp();
  const opened = new ApprovalDesk({ ...desk, topic, book });
  const timer = setInterval(() => {
    opened
      .sweep()
      .catch((error: unknown) =>
        warn(`denying requests whose approval window closed failed: ${String(error)}`),
      );
  }, sweepMs ?? 15_000);
  timer.unref();
  return {
    desk: opened,
    close: async () => {
      clearInterval(timer);
      await topic.close();
    },
  };
}
