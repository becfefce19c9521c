import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import type { Reply, VerifiedIncoming } from '../support/responder.ts';

let fixture: PipeFixture;
let earlierDecision = '';
beforeAll(async () => {
  fixture = await pipeFixture();
  // A valid decision from an earlier run, to replay later (P2).
  const run = await fixture.run(async (_request, reply) => {
    earlierDecision = await reply.sign(reply.decision('allow'));
    await reply.publish(earlierDecision);
  });
  expect(run.code).toBe(0);
});
afterAll(async () => {
  await fixture?.close();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every way to put something that is not this request's decision on the reply topic. */
async function forgeries(request: VerifiedIncoming, reply: Reply): Promise<void> {
  const stranger = (await generateServiceKey()).privateJwk;
  const spoofed = { ...stranger, kid: fixture.world.serviceKey.kid ?? 'x' };
  const attempts: Array<[string, string | Uint8Array]> = [
    ['unknown key', await reply.sign(reply.decision('allow'), stranger)],
    ['unknown key, trusted kid', await reply.sign(reply.decision('allow'), spoofed)],
    [
      'other request',
      await reply.sign(reply.decision('allow', { requestId: '7f0c1d9e-0000-4000-8000-000000000000' })),
    ],
    ['other digest', await reply.sign(reply.decision('allow', { requestDigest: 'A'.repeat(43) }))],
    ['other nonce', await reply.sign(reply.decision('allow', { nonce: 'B'.repeat(43) }))],
    [
      'other request key',
      await reply.sign(reply.decision('allow', { requestKeyThumbprint: 'C'.repeat(43) })),
    ],
    [
      'expired',
      await reply.sign(
        reply.decision('allow', {
          issuedAt: new Date(Date.now() - 600_000).toISOString(),
          expiresAt: new Date(Date.now() - 300_000).toISOString(),
        }),
      ),
    ],
    ['replayed earlier decision', earlierDecision],
    ['malformed', 'this is not a JWS'],
    ['malformed json', '{"verdict":"allow"}'],
    ['oversized', new Uint8Array(200 * 1024).fill(65)],
  ];
  expect(request.event.id).toBeTruthy();
  for (const [, payload] of attempts) await reply.publish(payload);
}

describe('P1/P2: only a decision signed by DECISION_KEYS and bound to this request unblocks the pipe', () => {
  it('forgeries, replays, expired, malformed and oversized messages never unblock it: exit 4, nothing written', async () => {
    const run = await fixture.run(forgeries, { variables: { TIMEOUT: '6' } });
    expect(run.code).toBe(4);
    const warnings = run.output.split('\n').filter((line) => line.startsWith('⚠ Ignored'));
    expect(warnings).toHaveLength(11);
    expect(run.output).toMatch(/unknown-key/);
    expect(run.output).toMatch(/signature/);
    expect(run.output).toMatch(/other-request/);
    expect(run.output).toMatch(/digest-mismatch/);
    expect(run.output).toMatch(/nonce-mismatch/);
    expect(run.output).toMatch(/key-mismatch/);
    expect(run.output).toMatch(/expired/);
    expect(run.output).toMatch(/larger than any decision/);
    // No credential file: only the run's outcome, a timeout.
    expect(await readdir(join(run.cloneDir, '.pulsar-gate'))).toEqual(['outcome.json']);
  });

  it('after the forgeries, the genuine decision still gets through', async () => {
    const run = await fixture.run(async (request, reply) => {
      await forgeries(request, reply);
      await wait(200);
      await reply.publish(await reply.sign(reply.decision('allow')));
    });
    expect(run.output).toContain('✔ Allowed by policy prod-deploy');
    expect(run.code).toBe(0);
  });

  it('a decision for another request, under another correlation id, is skipped quietly', async () => {
    const run = await fixture.run(async (_request, reply) => {
      await reply.publish(earlierDecision, { correlationId: 'someone-else' });
      await reply.publish(await reply.sign(reply.decision('deny')));
    });
    expect(run.code).toBe(1);
    expect(run.output).not.toContain('⚠ Ignored');
  });
});
