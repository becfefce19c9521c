import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Channel } from '../../src/transport/websocket/channel.ts';

describe('WebSocket channel', () => {
  it('keeps the frames a server sends together with its 101 answer (a consumer is pushed messages at once)', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    // Sent in the same tick as the upgrade response, so they usually reach the client in
    // the same read: Pulsar does this when a subscription has a backlog.
    server.on('connection', (socket) => {
      for (let i = 0; i < 5; i++) socket.send(`frame ${i}`);
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const received: string[] = [];
    try {
      for (let round = 0; round < 20; round++) {
        received.length = 0;
        const channel = await Channel.open({
          url: new URL(`ws://127.0.0.1:${port}/`),
          purpose: 'test',
          connectTimeoutMs: 5_000,
          reconnectWindowMs: 5_000,
          backoff: { baseMs: 10, capMs: 100 },
          onText: (text) => received.push(text),
          onFailure: () => undefined,
        });
        const deadline = Date.now() + 2_000;
        while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        await channel.close();
        expect(received, `round ${round}`).toEqual(['frame 0', 'frame 1', 'frame 2', 'frame 3', 'frame 4']);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
