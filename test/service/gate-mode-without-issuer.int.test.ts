// Fail closed (issue 14): a pipe in gate mode asks a service that is not a gate issuer. The
// policy would allow, but an allow without a gate token would only strand the pipe: it is a
// signed deny that says why, and no token of any kind is made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { type ServiceFixture, serviceFixture } from '../support/service-fixture.ts';

let fx: ServiceFixture;
let running: { stop(): Promise<void> };
beforeAll(async () => {
  // Staging: the sample policies allow any branch there, on any day.
  fx = await serviceFixture();
  running = await fx.start();
});
afterAll(async () => {
  await running?.stop();
  await fx?.close();
});

describe('a gate-mode request to a service without GATE_ISSUER', () => {
  it('is denied, failed path "gate token", naming GATE_ISSUER; step mode is still allowed', async () => {
    const { publicJwk } = await generateRunEncryptionKey();
    const gated = await fx.ask({ environment: 'staging', replyEncryptionKey: publicJwk });
    expect(gated.decision).toMatchObject({ verdict: 'deny', failedPath: 'gate token' });
    expect(gated.decision?.reasons.join(' ')).toMatch(/GATE_ISSUER is not set/);
    expect(gated.decision).not.toHaveProperty('gateTokenJwe');
    const advisory = await fx.ask({ environment: 'staging' });
    expect(advisory.decision?.verdict).toBe('allow');
    expect(advisory.decision).not.toHaveProperty('gateTokenJwe');
  });
});
