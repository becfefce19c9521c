import { isGateError } from '../errors.ts';
import type { IncomingMessage } from './transport.ts';

/** `receive` as an async iterator that ends quietly at the deadline (Attachment.messages). */
export async function* untilDeadline(
  receive: (deadline: number) => Promise<IncomingMessage>,
  deadline: number,
): AsyncIterable<IncomingMessage> {
  for (;;) {
    try {
      yield await receive(deadline);
    } catch (error) {
      if (isGateError(error, 'PULSAR_TIMEOUT')) return;
      throw error;
    }
  }
}
