import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { waitForDecision } from '../../src/gate/wait-for-decision.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import type { Attachment, IncomingMessage } from '../../src/transport/transport.ts';

/** An attachment that never delivers: receive() waits on a fake clock until its deadline. */
function silentAttachment(clock: { now: number }): Attachment {
  return {
    receive: async (deadline) => {
      clock.now = deadline;
      throw new GateError('PULSAR_TIMEOUT', 'nothing');
    },
    messages: async function* () {},
    close: async () => {},
  };
}

describe('waitForDecision', () => {
  it('prints one plain heartbeat line every 15 s with elapsed / timeout and the request id, then times out', async () => {
    const clock = { now: 1_000_000 };
    const lines: string[] = [];
    const { publicJwks } = await generateServiceKey();
    const error = await waitForDecision({
      attachment: silentAttachment(clock),
      trust: () => parseTrustedKeys(publicJwks, 'test'),
      expect: { requestId: 'req-1', requestDigest: 'd', nonce: 'n', requestKeyThumbprint: 't' },
      deadline: clock.now + 60_000,
      timeoutMs: 60_000,
      heartbeatMs: 15_000,
      clock: { now: () => clock.now },
      log: { info: (l) => lines.push(l), warn: (l) => lines.push(l), debug: () => {}, secret: () => {} },
    }).catch((e: unknown) => e);
    expect(lines).toEqual([
      '… waiting for a decision: 15 s / 60 s (request req-1)',
      '… waiting for a decision: 30 s / 60 s (request req-1)',
      '… waiting for a decision: 45 s / 60 s (request req-1)',
    ]);
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).code).toBe('DECISION_TIMEOUT');
  });

  it('skips a message for another correlation id without verifying it', async () => {
    const clock = { now: 0 };
    const other: IncomingMessage = {
      payload: Buffer.from('x'),
      properties: { correlationId: 'other' },
      messageId: 'm',
      publishTime: new Date(0),
      redeliveryCount: 0,
    };
    let delivered = false;
    const lines: string[] = [];
    const { publicJwks } = await generateServiceKey();
    const attachment: Attachment = {
      receive: async (deadline) => {
        if (!delivered) {
          delivered = true;
          return other;
        }
        clock.now = deadline;
        throw new GateError('PULSAR_TIMEOUT', 'nothing');
      },
      messages: async function* () {},
      close: async () => {},
    };
    await waitForDecision({
      attachment,
      trust: () => parseTrustedKeys(publicJwks, 'test'),
      expect: { requestId: 'mine', requestDigest: 'd', nonce: 'n', requestKeyThumbprint: 't' },
      deadline: 1_000,
      timeoutMs: 1_000,
      heartbeatMs: 15_000,
      clock: { now: () => clock.now },
      log: { info: (l) => lines.push(l), warn: (l) => lines.push(l), debug: () => {}, secret: () => {} },
    }).catch(() => undefined);
    expect(lines.filter((l) => l.startsWith('⚠'))).toEqual([]);
  });
});
