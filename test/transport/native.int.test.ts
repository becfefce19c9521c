import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { NATIVE_INSTALL_HINT } from '../../src/transport/native/load.ts';
import { NativeTransport } from '../../src/transport/native/transport.ts';
import { openTransport } from '../../src/transport/open.ts';
import { startStandalone } from '../peers/pulsar/standalone.ts';
import { mintToken } from '../peers/pulsar/tokens.ts';
import { brokerInfo } from '../support/broker.ts';
import { nativeUnavailableReason } from '../support/transports.ts';
import { transportContract } from './contract.ts';
import { identityContract } from './contract-identity.ts';

const reason = nativeUnavailableReason();
if (reason !== undefined) {
  console.warn(`[skipped] native pulsar-client contract suite: the addon does not load here (${reason})`);
  describe.skip(`native transport contract — skipped: pulsar-client addon unavailable (${reason})`, () => {
    it('runs wherever the pulsar-client addon loads', () => {});
  });
} else {
  transportContract('native', () => {
    const broker = brokerInfo();
    return {
      open: async () => new NativeTransport({ url: broker.serviceUrl, token: broker.adminToken }),
      openWithRefusedToken: async () =>
        new NativeTransport({
          url: broker.serviceUrl,
          token: await mintToken(Buffer.alloc(32, 7).toString('base64'), 'x'),
        }),
      ownBroker: async () => {
        if (brokerInfo().kind !== 'distribution') return undefined;
        const own = await startStandalone();
        return {
          open: () => new NativeTransport({ url: own.serviceUrl, token: own.adminToken }),
          restart: () => own.restart(),
          stop: () => own.stop(),
        };
      },
    };
  });
  identityContract('native', async (token) => new NativeTransport({ url: brokerInfo().serviceUrl, token }));
}

describe('native transport selection', () => {
  it('a pulsar:// URL without the addon fails with one line that says how to install it', () => {
    const error = (() => {
      try {
        openTransport({
          url: 'pulsar://127.0.0.1:6650',
          load: () => {
            throw new Error("Cannot find module 'pulsar-client'");
          },
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('PULSAR_NATIVE_UNAVAILABLE');
    expect((error as GateError).message).toBe(NATIVE_INSTALL_HINT);
    expect(NATIVE_INSTALL_HINT).not.toContain('\n');
    expect(NATIVE_INSTALL_HINT).toContain('npm install pulsar-client');
  });

  it('rejects a URL of no known scheme as configuration', () => {
    expect(() => openTransport({ url: 'ftp://x' })).toThrow(/PULSAR_URL must start with/);
  });
});
