import type { Attachment, Publisher, Transport } from './transport.ts';

/**
 * A producer and a reader on one topic the service both writes and tails (the decisions and
 * approvals topics). The producer comes first: it creates the topic where the broker
 * auto-creates topics; if the reader then fails, the producer is closed again.
 */
export async function publisherAndReader(
  transport: Transport,
  topic: string,
): Promise<{ readonly publisher: Publisher; readonly reader: Attachment }> {
  const publisher = await transport.publisher(topic);
  const reader = await transport.read(topic).catch(async (error: unknown) => {
    await publisher.close();
    throw error;
  });
  return { publisher, reader };
}
