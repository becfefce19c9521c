// prepare() opens the Pulsar sockets before it loads DECISION_KEYS; a broker that refuses at
// once (a 401 on the preconnected socket) must end in that error, not crash the process.
import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import type { GatePorts, GateRequest } from '../../src/gate/ports.ts';
import { prepare } from '../../src/gate/prepare.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import type { Transport } from '../../src/transport/transport.ts';

describe('prepare', () => {
  it('a refusal that comes while DECISION_KEYS loads is the reported error, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const refused = new GateError('PULSAR_AUTH', 'Pulsar refused the credentials (HTTP 401)');
    const transport = {
      target: 'ws://broker',
      attach: () => Promise.reject(refused),
      publisher: () => Promise.reject(refused),
    } as unknown as Transport;
    const { publicJwks } = await generateServiceKey();
    const ports = {
      transport,
      credentials: { assume: () => new Promise(() => {}) },
      newSigner: () => new Promise(() => {}),
      // Slow on purpose: the refusals settle first.
      trustedKeys: () =>
        new Promise((resolve) => setTimeout(() => resolve(parseTrustedKeys(publicJwks, 'test')), 50)),
      log: { info() {}, warn() {}, debug() {}, secret() {} },
      clock: { now: () => Date.now() },
    } as unknown as GatePorts;
    const request = {
      replyTopic: 'r',
      topic: 't',
      token: { value: 'x', claims: { sub: 's', aud: 'a' } },
    } as unknown as GateRequest;
    try {
      // The STS exchange never settles here, so prepare waits; give the refusals time to land.
      const outcome = await Promise.race([
        prepare(ports, request).then(
          () => 'resolved',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('pending'), 200)),
      ]);
      expect(outcome).toBe('pending');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
