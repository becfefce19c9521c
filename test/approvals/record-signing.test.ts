// Approval records across a key rotation (record-signing.ts): the service's own key and the
// keys of its newest key set still in their grace seal records; nothing else does, whatever
// the record's header names.
import { describe, expect, it } from 'vitest';
import { APPROVAL_RECORD_TYP, recordSeal } from '../../src/approvals/record-signing.ts';
import type { ActRecord } from '../../src/approvals/records.ts';
import { signCompact } from '../../src/jose/sign.ts';
import { importSigningKey } from '../../src/jose/signing-key.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';

const act: ActRecord = {
  kind: 'act',
  requestId: '5b2f5c1e-0000-4000-8000-00000000000a',
  requestDigest: 'x'.repeat(43),
  act: {
    kind: 'approve',
    approver: { iss: 'https://idp.example', sub: 'alice', name: 'Alice', groups: ['release-managers'] },
    comment: 'looks right',
    at: '2026-12-02T02:00:00.000Z',
  },
};
const GRACE_ENDS = Date.parse('2026-12-09T00:00:00Z');

/** The old key, the new one, and the set `keys rotate` leaves: new current, old in its grace. */
async function rotation() {
  const old = await generateServiceKey();
  const fresh = await generateServiceKey();
  const oldPublic = old.publicJwks.keys.filter((k) => k.use === 'sig');
  const trusted = await parseTrustedKeys(
    {
      keys: [
        ...fresh.publicJwks.keys,
        ...oldPublic.map((k) => ({ ...k, notAfter: new Date(GRACE_ENDS).toISOString() })),
      ],
    },
    'the key set v1',
  );
  return { old, fresh, trusted };
}

describe('recordSeal across a key rotation', () => {
  it('a record the previous key sealed counts until that key’s grace ends, then no more', async () => {
    const { old, fresh, trusted } = await rotation();
    const sealedBefore = await (await recordSeal(old.privateJwk)).sign(act);
    const during = await recordSeal(fresh.privateJwk, trusted, () => GRACE_ENDS - 1);
    expect(await during.open(sealedBefore)).toEqual(act);
    const after = await recordSeal(fresh.privateJwk, trusted, () => GRACE_ENDS + 1);
    expect(await after.open(sealedBefore)).toBeUndefined();
    // The new key's own records are unaffected by the old key's grace.
    expect(await after.open(await after.sign(act))).toEqual(act);
  });

  it('a key outside the set seals nothing, even under the kid of a trusted key', async () => {
    const { old, fresh, trusted } = await rotation();
    const seal = await recordSeal(fresh.privateJwk, trusted, () => GRACE_ENDS - 1);
    const stranger = await generateServiceKey();
    expect(await seal.open(await (await recordSeal(stranger.privateJwk)).sign(act))).toBeUndefined();
    // The stranger's signature, labelled with the old key's kid.
    const signing = await importSigningKey(stranger.privateJwk, 'stranger');
    const payload = new TextEncoder().encode(JSON.stringify(act));
    for (const kid of [String(old.privateJwk.kid), seal.kid]) {
      const forged = await signCompact({ kid, typ: APPROVAL_RECORD_TYP }, payload, signing);
      expect(await seal.open(forged)).toBeUndefined();
    }
  });

  it('without a key set, only the service’s own key seals (a key file deployed alone)', async () => {
    const { old, fresh } = await rotation();
    const seal = await recordSeal(fresh.privateJwk);
    expect(await seal.open(await (await recordSeal(old.privateJwk)).sign(act))).toBeUndefined();
    expect(await seal.open(await seal.sign(act))).toEqual(act);
  });

  it('a JWS of another type under a trusted key is not a record (RFC 8725 §3.11)', async () => {
    const { old, fresh, trusted } = await rotation();
    const seal = await recordSeal(fresh.privateJwk, trusted, () => GRACE_ENDS - 1);
    const signing = await importSigningKey(old.privateJwk, 'old');
    const payload = new TextEncoder().encode(JSON.stringify(act));
    const decisionTyped = await signCompact(
      { kid: String(old.privateJwk.kid), typ: 'application/pulsar-gate.decision+jws' },
      payload,
      signing,
    );
    expect(await seal.open(decisionTyped)).toBeUndefined();
  });
});
