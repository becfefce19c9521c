// The WebSocket reader and topic end, against the real broker: what KEYS_TOPIC rests on.
import { describe, expect, it } from 'vitest';
import type { TopicEnd } from '../../src/transport/topic-end.ts';
import type { IncomingMessage } from '../../src/transport/transport.ts';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import { brokerInfo } from '../support/broker.ts';
import { roleToken } from '../support/grants.ts';
import { topicName } from './contract.ts';

const open = () => new WebSocketTransport({ url: brokerInfo().webSocketUrl, token: brokerInfo().adminToken });

async function readToEnd(transport: WebSocketTransport, topic: string, end: TopicEnd): Promise<string[]> {
  const reader = await transport.read(topic);
  const seen: string[] = [];
  try {
    while (!end.empty) {
      const message: IncomingMessage = await reader.receive(Date.now() + 5_000);
      seen.push(message.payload.toString());
      if (end.reached(message.messageId)) break;
    }
    return seen;
  } finally {
    await reader.close();
  }
}

describe('WebSocket reader', () => {
  // Regression: the backlog a reader is sent right after the upgrade can share a TCP segment
  // with the 101 response; ws delivers it on nextTick, and a listener attached one promise
  // later missed it all, about one read in twenty.
  it('delivers the backlog on every one of 40 fresh readers', async () => {
    const topic = topicName('reader-backlog');
    const writer = open();
    const publisher = await writer.publisher(topic);
    for (let i = 0; i < 5; i++) await publisher.publish({ payload: `m${i}` });
    const end = await writer.endOf(topic);
    try {
      for (let round = 0; round < 40; round++) {
        const transport = open();
        try {
          expect(await readToEnd(transport, topic, end)).toHaveLength(5);
        } finally {
          await transport.close();
        }
      }
    } finally {
      await writer.close();
    }
  }, 120_000);

  it('an unknown topic is a clear error, and a role without consume is refused', async () => {
    const transport = open();
    await expect(transport.endOf(topicName('never-written'))).rejects.toMatchObject({
      code: 'PULSAR_TOPIC_NOT_FOUND',
    });
    const topic = topicName('reader-forbidden');
    await transport.read(topic).then((r) => r.close());
    await transport.close();
    const stranger = new WebSocketTransport({
      url: brokerInfo().webSocketUrl,
      token: await roleToken('stranger'),
    });
    await expect(stranger.endOf(topic)).rejects.toMatchObject({
      code: 'PULSAR_NOT_PERMITTED',
      details: { topic, action: 'consume' },
    });
    await expect(stranger.read(topic)).rejects.toMatchObject({ code: 'PULSAR_NOT_PERMITTED' });
    await stranger.close();
  });
});
