// A frame sent in the same breath as the 101 response (as Pulsar's reader does with its
// backlog) must reach the channel: ws hands such bytes on process.nextTick, before any promise
// continuation. A plain ws server on loopback makes that happen every time.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Channel } from '../../src/transport/websocket/channel.ts';

let server: WebSocketServer;
beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => {
    for (let i = 0; i < 3; i++) socket.send(`early-${i}`);
  });
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('WebSocket channel', () => {
  it('keeps every frame the server sends right after the upgrade', async () => {
    for (let round = 0; round < 20; round++) {
      const received: string[] = [];
      const channel = await Channel.open({
        url: new URL(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`),
        purpose: 'test channel',
        access: { topic: 'persistent://t/ns/x', action: 'consume' },
        connectTimeoutMs: 2_000,
        reconnectWindowMs: 2_000,
        backoff: { baseMs: 10, capMs: 50 },
        onText: (text) => received.push(text),
        onFailure: () => {},
      });
      const deadline = Date.now() + 2_000;
      while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await channel.close();
      expect(received).toEqual(['early-0', 'early-1', 'early-2']);
    }
  });
});
