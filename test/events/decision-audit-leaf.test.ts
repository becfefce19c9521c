import { beforeAll, describe, expect, it } from 'vitest';
import { verifyDecision } from '../../src/events/decision.ts';
import {
  type DecisionWorld,
  decisionFor,
  decisionWorld,
  expectationFor,
  rawSign,
  rejected,
  type SignedRun,
  signedRun,
} from './fixtures.ts';

let world: DecisionWorld;
let run: SignedRun;

beforeAll(async () => {
  world = await decisionWorld();
  run = await signedRun();
});

describe('a decision names its audit leaf (issue 15 §3)', () => {
  it('is accepted with the leaf, and the pipe gets it as signed', async () => {
    const auditLeaf = { trail: 'b5d7c1e2-trail', index: 41 };
    const jws = await world.signer.sign(decisionFor(run, { auditLeaf }));
    const result = await verifyDecision(jws, world.trusted, expectationFor(run));
    expect(result).toMatchObject({ ok: true, decision: { auditLeaf } });
  });

  it.each([
    ['a leaf that is not an object', 'leaf-41'],
    ['a leaf without a trail', { index: 41 }],
    ['a negative index', { trail: 't', index: -1 }],
    ['a fractional index', { trail: 't', index: 1.5 }],
    ['an index as text', { trail: 't', index: '41' }],
  ])('a malformed leaf is refused by the pipe, and never signed by the service: %s', async (_, auditLeaf) => {
    const decision = decisionFor(run, { auditLeaf: auditLeaf as never });
    await expect(world.signer.sign(decision)).rejects.toThrow(/cannot sign the decision: decision.auditLeaf/);
    const header = { alg: 'ES256', kid: world.signer.kid, typ: 'application/pulsar-gate.decision+jws' };
    const jws = await rawSign(decision, header, world.privateJwk);
    expect(rejected(await verifyDecision(jws, world.trusted, expectationFor(run)))).toBe('malformed');
  });
});
