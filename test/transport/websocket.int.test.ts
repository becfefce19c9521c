import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import { startStandalone } from '../peers/pulsar/standalone.ts';
import { mintToken } from '../peers/pulsar/tokens.ts';
import { brokerInfo } from '../support/broker.ts';
import { topicName, transportContract } from './contract.ts';
import { identityContract } from './contract-identity.ts';

transportContract('WebSocket', () => {
  const broker = brokerInfo();
  return {
    open: async (options = {}) =>
      new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken, ...options }),
    openWithRefusedToken: async () =>
      new WebSocketTransport({
        url: broker.webSocketUrl,
        // Signed with a key the broker does not know.
        token: await mintToken(randomBytes(32).toString('base64'), 'admin'),
      }),
    ownBroker: async () => {
      if (brokerInfo().kind !== 'distribution') return undefined;
      const own = await startStandalone();
      return {
        open: () => new WebSocketTransport({ url: own.webSocketUrl, token: own.adminToken }),
        restart: () => own.restart(),
        stop: () => own.stop(),
      };
    },
  };
});

identityContract(
  'WebSocket',
  async (token) => new WebSocketTransport({ url: brokerInfo().webSocketUrl, token }),
);

describe('WebSocket transport specifics', () => {
  it('reports an unreachable broker with the URL and never the token, within its connect window', async () => {
    const transport = new WebSocketTransport({
      url: 'ws://127.0.0.1:1',
      token: 'secret-token-value',
      connectWindowMs: 1_000,
    });
    const started = Date.now();
    const error = await transport.publisher(topicName('nowhere')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('PULSAR_UNREACHABLE');
    expect((error as GateError).message).toContain('ws://127.0.0.1:1');
    expect((error as GateError).message).not.toContain('secret-token-value');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('the broker itself closes a frame over its limit: still a clear error, not a hang', async () => {
    const broker = brokerInfo();
    // Lift our own guard so the 1 MiB webSocketMaxTextFrameSize of the broker decides.
    const transport = new WebSocketTransport({
      url: broker.webSocketUrl,
      token: broker.adminToken,
      maxFrameBytes: 64 * 1024 * 1024,
      sendTimeoutMs: 20_000,
    });
    try {
      const publisher = await transport.publisher(topicName('big-raw'));
      const error = await publisher
        .publish({ payload: new Uint8Array(3 * 1024 * 1024) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GateError);
      expect((error as GateError).code).toBe('PULSAR_PAYLOAD_TOO_LARGE');
      // The producer recovers for the next, normal message.
      await expect(publisher.publish({ payload: 'small' })).resolves.toEqual(expect.any(String));
    } finally {
      await transport.close();
    }
  });

  it('accepts http:// spellings of the web service URL', async () => {
    const broker = brokerInfo();
    const transport = new WebSocketTransport({ url: broker.webUrl, token: broker.adminToken });
    try {
      const publisher = await transport.publisher(topicName('http'));
      await expect(publisher.publish({ payload: 'x' })).resolves.toEqual(expect.any(String));
    } finally {
      await transport.close();
    }
  });
});
