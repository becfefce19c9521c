// A channel with a rotating credential (the service's OAuth token) reconnects through a 401
// by asking for a fresh token; a fixed token that the broker stops accepting ends the channel.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { GateError } from '../../src/errors.ts';
import type { TokenSource } from '../../src/transport/transport.ts';
import { Channel } from '../../src/transport/websocket/channel.ts';

let server: WebSocketServer;
let accepted = 'token-1';
const open = new Set<WebSocket>();
beforeAll(async () => {
  server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, done) => done(info.req.headers.authorization === `Bearer ${accepted}`, 401),
  });
  server.on('connection', (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function channel(token: TokenSource, events: string[]) {
  return Channel.open({
    url: new URL(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`),
    purpose: 'test channel',
    access: { topic: 'persistent://t/ns/x', action: 'consume' },
    token,
    connectTimeoutMs: 2_000,
    reconnectWindowMs: 5_000,
    backoff: { baseMs: 20, capMs: 100 },
    onText: () => {},
    onOpen: () => events.push('open'),
    onFailure: (error: GateError) => events.push(`failed ${error.code}`),
  });
}

const until = async (check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describe('reconnecting with a rotating credential', () => {
  it('a 401 on reconnect is retried with a fresh token from the source', async () => {
    accepted = 'token-1';
    let calls = 0;
    const events: string[] = [];
    // The source keeps handing out the old token twice after the rotation, then the new one.
    const source = async () => (++calls <= 3 ? 'token-1' : 'token-2');
    const ch = await channel(source, events);
    accepted = 'token-2';
    for (const socket of open) socket.terminate();
    await until(() => events.length >= 2);
    expect(events).toEqual(['open', 'open']);
    await ch.close();
  });

  it('a fixed token the broker stops accepting ends the channel with PULSAR_AUTH', async () => {
    accepted = 'fixed';
    const events: string[] = [];
    const ch = await channel('fixed', events);
    accepted = 'other';
    for (const socket of open) socket.terminate();
    await until(() => events.length >= 2);
    expect(events).toEqual(['open', 'failed PULSAR_AUTH']);
    await ch.close();
  });
});
