// Reads what the webhooks command stored on a topic, from its earliest message.
import type { Transport } from '../../src/transport/transport.ts';
import type { WebhookEvent } from '../../src/webhooks/cloud-event.ts';

export interface Stored {
  readonly key: string | undefined;
  readonly properties: Readonly<Record<string, string>>;
  readonly event: WebhookEvent;
}

/** Every message until one whose event id is `until` (a marker sent last), or the deadline. */
export async function readUntil(
  transport: Transport,
  topic: string,
  until: string,
  ms = 30_000,
): Promise<Stored[]> {
  const reader = await transport.read(topic);
  const out: Stored[] = [];
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const message = await reader.receive(deadline);
      const event = JSON.parse(message.payload.toString('utf8')) as WebhookEvent;
      out.push({ key: message.key, properties: message.properties, event });
      if (event.id === until) return out;
    }
  } finally {
    await reader.close();
  }
}
