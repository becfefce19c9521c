// The bench's baseline: an echo responder that consumes and replies (no verification, no
// policy), so bench/service.ts can show what the transport alone costs.
import type { Transport } from '../src/transport/transport.ts';

/** Answers every message on `topic` on `${topic}-replies` with its own payload, until stopped. */
export async function startEcho(
  transport: Transport,
  topic: string,
  concurrency: number,
): Promise<{ stop(): Promise<void> }> {
  const echoIn = await transport.subscribe(topic, 'echo', {
    type: 'Shared',
    receiverQueueSize: concurrency * 2,
  });
  let echoing = true;
  const echo = (async () => {
    const out = await transport.publisher(`${topic}-replies`, { batch: true });
    while (echoing) {
      const message = await echoIn.receive(Date.now() + 300).catch(() => undefined);
      if (!message) continue;
      void out
        .publish({
          payload: message.payload,
          properties: { correlationId: message.properties.correlationId ?? '' },
        })
        .then(() => echoIn.ack(message));
    }
    await out.close();
  })();
  return {
    async stop() {
      echoing = false;
      await echo;
    },
  };
}
