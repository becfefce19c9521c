import { randomUUID } from 'node:crypto';
import { isGateError } from '../../src/errors.ts';
import type { Decision } from '../../src/events/decision.ts';
import type { PipeFixture } from '../support/pipe-fixture.ts';

/** Every decision on a reply topic, from its first message, as anyone allowed to read it sees them. */
export async function replyDecisions(fixture: PipeFixture, topic: string): Promise<Decision[]> {
  const subscription = await fixture.transport.subscribe(topic, `reader-${randomUUID()}`, {
    type: 'Exclusive',
    initialPosition: 'Earliest',
  });
  const found: Decision[] = [];
  try {
    for (;;) {
      const message = await subscription.receive(Date.now() + 2_000).catch((error: unknown) => {
        if (isGateError(error, 'PULSAR_TIMEOUT')) return undefined;
        throw error;
      });
      if (!message) return found;
      const payload = message.payload.toString('utf8').split('.')[1] ?? '';
      found.push(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Decision);
    }
  } finally {
    await subscription.close();
  }
}
