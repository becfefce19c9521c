// The key-set chain (issue 5 §4), pure: what extends the chain from the pinned root and what
// never does — forged, forked, skipped, replayed, or signed by a key in its grace period.
import { CompactSign, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyDecision } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { followKeySet, type KeyChain, rootChain } from '../../src/keys/key-chain.ts';
import {
  type CurrentKeySet,
  KEY_SET_TYP,
  nextKeySet,
  readOwnKeySet,
  signKeySet,
} from '../../src/keys/key-set.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys } from '../../src/keys/trusted-keys.ts';
import { decisionFor, expectationFor, NOW, signedRun } from '../events/fixtures.ts';

const HOUR = 3_600_000;

async function rotation() {
  const root = await generateServiceKey();
  const second = await generateServiceKey();
  const third = await generateServiceKey();
  const v0: CurrentKeySet = { version: 0, digest: null, keys: root.publicJwks.keys };
  const v1 = await signKeySet(
    nextKeySet(v0, [second.privateJwk, second.encryptionJwk], NOW.getTime(), HOUR),
    root.privateJwk,
  );
  const v2 = await signKeySet(
    nextKeySet(
      await readOwnKeySet(v1, 'v1'),
      [third.privateJwk, third.encryptionJwk],
      NOW.getTime() + HOUR / 2,
      HOUR,
    ),
    second.privateJwk,
  );
  const chain0 = rootChain(await parseTrustedKeys(root.publicJwks, 'root'));
  return { root, second, third, v0, v1, v2, chain0 };
}

async function accept(chain: KeyChain, jws: string): Promise<KeyChain> {
  const step = await followKeySet(chain, jws, 'keys');
  if (!step.ok) throw new Error(`refused: ${step.message}`);
  return step.chain;
}

describe('following the key-set chain from the pinned root', () => {
  it('accepts each next set signed by an active key of the one before', async () => {
    const { root, second, third, v1, v2, chain0 } = await rotation();
    const chain1 = await accept(chain0, v1);
    expect(chain1.version).toBe(1);
    expect([...chain1.signers]).toEqual([second.privateJwk.kid]);
    expect(chain1.trusted.keys.get(root.privateJwk.kid ?? '')?.notAfter).toBe(NOW.getTime() + HOUR);
    const chain2 = await accept(chain1, v2);
    expect(chain2.trusted.ids).toEqual([third.privateJwk.kid, second.privateJwk.kid, root.privateJwk.kid]);
  });

  it('refuses a set signed by a key the chain does not hold (forged)', async () => {
    const { v0, chain0 } = await rotation();
    const rogue = await generateServiceKey();
    const forged = await signKeySet(
      nextKeySet(v0, [rogue.privateJwk, rogue.encryptionJwk], NOW.getTime(), HOUR),
      rogue.privateJwk,
    );
    expect(await followKeySet(chain0, forged, 'keys')).toMatchObject({ ok: false, reason: 'signer' });
  });

  it('refuses a set signed by a key in its grace period, even though it still verifies decisions', async () => {
    const { root, v1, chain0 } = await rotation();
    const chain1 = await accept(chain0, v1);
    const attacker = await generateServiceKey();
    const sneaky = await signKeySet(
      nextKeySet(
        await readOwnKeySet(v1, 'v1'),
        [attacker.privateJwk, attacker.encryptionJwk],
        NOW.getTime(),
        HOUR,
      ),
      root.privateJwk,
    );
    expect(await followKeySet(chain1, sneaky, 'keys')).toMatchObject({ ok: false, reason: 'signer' });
  });

  it('refuses a fork, a gap and a bad signature; skips replays and old versions quietly', async () => {
    const { root, second, v1, v2, chain0 } = await rotation();
    const chain1 = await accept(chain0, v1);
    const fork = await signKeySet(
      {
        ...nextKeySet(
          await readOwnKeySet(v1, 'v1'),
          [root.privateJwk, root.encryptionJwk],
          NOW.getTime(),
          HOUR,
        ),
        previous: 'AAAA',
      },
      second.privateJwk,
    );
    expect(await followKeySet(chain1, fork, 'keys')).toMatchObject({ ok: false, reason: 'fork' });
    expect(await followKeySet(chain0, v2, 'keys')).toMatchObject({ ok: false, reason: 'signer' });
    const skipping = await signKeySet(
      {
        ...nextKeySet(
          await readOwnKeySet(v1, 'v1'),
          [root.privateJwk, root.encryptionJwk],
          NOW.getTime(),
          HOUR,
        ),
        version: 3,
      },
      second.privateJwk,
    );
    expect(await followKeySet(chain1, skipping, 'keys')).toMatchObject({ ok: false, reason: 'gap' });
    const [h, p, sig = ''] = v2.split('.');
    const tampered = `${h}.${p}.${sig.slice(0, -4)}AAAA`;
    expect(await followKeySet(chain1, tampered, 'keys')).toMatchObject({ ok: false, reason: 'signature' });
    expect(await followKeySet(chain1, v1, 'keys')).toMatchObject({ ok: false, reason: 'duplicate' });
    const chain2 = await accept(chain1, v2);
    expect(await followKeySet(chain2, v1, 'keys')).toMatchObject({ ok: false, reason: 'stale' });
    expect(await followKeySet(chain2, 'not.a.jws', 'keys')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('drops keys whose grace has ended at the next rotation (retired)', async () => {
    const { second, third, v1 } = await rotation();
    const later = nextKeySet(
      await readOwnKeySet(v1, 'v1'),
      [third.privateJwk, third.encryptionJwk],
      NOW.getTime() + 2 * HOUR,
      HOUR,
    );
    // The root's signing and encryption keys (grace over) are gone; the second's both enter grace.
    expect(later.keys.map((k: JWK) => k.kid)).toEqual([
      third.privateJwk.kid,
      third.encryptionJwk.kid,
      second.privateJwk.kid,
      second.encryptionJwk.kid,
    ]);
    for (const kid of [second.privateJwk.kid, second.encryptionJwk.kid])
      expect(later.keys.find((k) => k.kid === kid)?.notAfter).toBe(
        new Date(NOW.getTime() + 3 * HOUR).toISOString(),
      );
    expect(later.keys.filter((k) => k.use === 'enc' && k.notAfter === undefined)).toHaveLength(1);
  });
});

/** The order of the P-256 group (SEC 2 §2.4.2; FIPS 186-4 D.1.2.3). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The same ES256 JWS with its signature (r, s) replaced by (r, n − s): valid too, no key needed. */
function malleate(jws: string): string {
  const [header, payload, signature = ''] = jws.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`;
}

/** Another valid signature by `privateJwk` over exactly the payload octets of `jws` (ECDSA is randomized). */
async function resign(jws: string, privateJwk: JWK): Promise<string> {
  const payload = Buffer.from(jws.split('.')[1] ?? '', 'base64url');
  return new CompactSign(payload)
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid ?? '', typ: KEY_SET_TYP })
    .sign(await importJWK(privateJwk, 'ES256'));
}

describe('the chain links payloads, not signatures (ECDSA signatures are malleable)', () => {
  it('a re-signed copy of a set is the same set: the chain still links and never forks', async () => {
    const { root, second, v1, v2, chain0 } = await rotation();
    const copies = [malleate(v1), await resign(v1, root.privateJwk)];
    const v1Digest = (await readOwnKeySet(v1, 'v1')).digest;
    for (const copy of copies) {
      expect(copy).not.toBe(v1);
      // Whichever spelling a pipe meets first (topic compaction keeps the last message per
      // version), it follows the same set, and v2 — which names v1's payload — continues it.
      const viaCopy = await accept(chain0, copy);
      expect(viaCopy.digest).toBe(v1Digest);
      expect((await accept(viaCopy, v2)).trusted.ids[0]).toBe(
        (await accept(await accept(chain0, v1), v2)).trusted.ids[0],
      );
      // Met after the genuine set (or the other way round), a copy is a duplicate: skipped, not a fork.
      expect(await followKeySet(await accept(chain0, v1), copy, 'keys')).toMatchObject({
        ok: false,
        reason: 'duplicate',
      });
      expect(await followKeySet(viaCopy, v1, 'keys')).toMatchObject({ ok: false, reason: 'duplicate' });
    }
    // Another set under the same version stays a fork: only equal payloads are the same set.
    const rival = await signKeySet(
      nextKeySet(
        { version: 0, digest: null, keys: root.publicJwks.keys },
        [second.privateJwk, second.encryptionJwk],
        NOW.getTime() + 1,
        HOUR,
      ),
      root.privateJwk,
    );
    expect(await followKeySet(await accept(chain0, v1), rival, 'keys')).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    // v2 only continues the payload it names: after the rival, it is refused as a fork.
    expect(await followKeySet(await accept(chain0, rival), v2, 'keys')).toMatchObject({
      ok: false,
      reason: 'fork',
    });
  });
});

describe('decisions under a rotated set', () => {
  it('a rotated-out key verifies until its notAfter and is refused as retired after it', async () => {
    const { root, v1, chain0 } = await rotation();
    const chain1 = await accept(chain0, v1);
    const run = await signedRun();
    const jws = await (await createDecisionSigner(root.privateJwk)).sign(decisionFor(run));
    const within = await verifyDecision(jws, chain1.trusted, expectationFor(run));
    expect(within.ok).toBe(true);
    // Past the grace period (the decision itself is checked with clock tolerance, so go well past).
    const after = await verifyDecision(jws, chain1.trusted, {
      ...expectationFor(run, new Date(NOW.getTime() + HOUR + 1_000)),
      clockToleranceSeconds: 86_400,
    });
    expect(after).toMatchObject({ ok: false, reason: 'retired-key' });
  });
});
