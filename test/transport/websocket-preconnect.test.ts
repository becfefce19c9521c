// The pipe's preconnect: the TCP connection opened first is the one the first WebSocket
// upgrades; later sockets, and sockets for another endpoint, connect on their own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Channel } from '../../src/transport/websocket/channel.ts';
import { preconnect } from '../../src/transport/websocket/preconnect.ts';

let server: Server;
let tcp = 0;
let upgrades = 0;
let url: URL;
beforeAll(async () => {
  server = createServer();
  server.on('connection', () => tcp++);
  new WebSocketServer({ server }).on('connection', () => upgrades++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/v2/consumer/x`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const open = () =>
  Channel.open({
    url,
    purpose: 'test channel',
    access: { topic: 'persistent://t/ns/x', action: 'consume' },
    connectTimeoutMs: 2_000,
    reconnectWindowMs: 2_000,
    backoff: { baseMs: 10, capMs: 50 },
    onText: () => {},
    onFailure: () => {},
  });

describe('preconnect', () => {
  it('the first WebSocket upgrades the preconnected socket; the next one opens its own', async () => {
    preconnect(url.href);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tcp).toBe(1); // out before anything asked for it
    const first = await open();
    expect([tcp, upgrades]).toEqual([1, 1]);
    const second = await open();
    expect([tcp, upgrades]).toEqual([2, 2]);
    await Promise.all([first.close(), second.close()]);
  });

  it('a preconnect to another endpoint, or one that failed, is never used', async () => {
    preconnect('ws://127.0.0.1:9/'); // nothing listens on the discard port
    const before = tcp;
    const channel = await open();
    expect(tcp).toBe(before + 1);
    await channel.close();
    preconnect('not a url'); // ignored: the configuration check reports it
    preconnect(undefined);
  });
});
