import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditProveCommand, auditVerifyProofCommand } from '../../cli/admin/audit/audit-proof-command.ts';
import { createCheckpointSigner } from '../../src/audit/checkpoint.ts';
import type { InclusionProof } from '../../src/audit/inclusion-proof.ts';
import { TrailFile } from '../../src/audit/trail-file.ts';
import { entryLeafHash, toB64url } from '../../src/audit/tree-head.ts';
import { generateServiceKey, publicJwksOf } from '../../src/keys/service-keys.ts';
import { io, keysFile, resign, sampleRecord, writeTrail } from './trail-fixture.ts';

type Trail = Awaited<ReturnType<typeof writeTrail>>;

async function prove(file: string, keys: string, requestId: string) {
  const out = io();
  const exit = await auditProveCommand({ file, keys, requestId }, out.io);
  return { exit, text: out.out.join('') };
}

async function verifyProof(trail: Trail, proof: unknown, keys: string) {
  const path = join(trail.dir, `proof-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify(proof));
  const out = io();
  const exit = await auditVerifyProofCommand({ proof: path, keys }, out.io);
  return { exit, text: out.out.join('') };
}

describe('audit prove and audit verify-proof (issue 15 §3)', () => {
  it('a decision’s proof verifies offline with the public keys alone', async () => {
    const trail = await writeTrail(7, 3);
    const keys = await keysFile(trail);
    const id = sampleRecord(4).requestId;
    const proved = await prove(trail.path, keys, id);
    expect(proved.exit).toBe(0);
    const proof = JSON.parse(proved.text) as InclusionProof;
    // Record 4 sits at seq 6; the newest head (seq 10) signs the tree of 10 entries.
    expect(proof).toMatchObject({ index: 6, treeSize: 10, leaf: { seq: 6, record: { requestId: id } } });
    expect(proof.auditPath).toHaveLength(4);
    const checked = await verifyProof(trail, proof, keys);
    expect(checked).toMatchObject({ exit: 0 });
    expect(checked.text).toMatch(
      /✔ .*: the allow of request .* is leaf 6 of trail .*, under the tree head of size 10/,
    );
  });

  it('every forgery of a proof fails, named: a changed leaf, another index, another size, a bent path', async () => {
    const trail = await writeTrail(7, 3);
    const keys = await keysFile(trail);
    const proof = JSON.parse(
      (await prove(trail.path, keys, sampleRecord(4).requestId)).text,
    ) as InclusionProof;
    const forged: [unknown, RegExp][] = [
      [
        { ...proof, leaf: { ...proof.leaf, record: { ...proof.leaf.record, verdict: 'deny' } } },
        /does not lead from leaf 6/,
      ],
      [{ ...proof, index: 5, leaf: { ...proof.leaf, seq: 5 } }, /does not lead from leaf 5/],
      [{ ...proof, index: 5 }, /the index 5 is not the leaf's seq 6/],
      [{ ...proof, treeSize: 11 }, /the tree size 11 is not the head's 10/],
      [{ ...proof, auditPath: proof.auditPath.slice(0, -1) }, /does not lead from leaf 6/],
      [{ ...proof, auditPath: [...proof.auditPath].reverse() }, /does not lead from leaf 6/],
      [{ ...proof, head: { ...proof.head, root: proof.auditPath[0] } }, /signature covers other content/],
      [{ ...proof, leaf: { ...proof.leaf, trail: 'replica-2' } }, /leaf is of trail replica-2/],
      [{ ...proof, head: { ...proof.head, type: 'genesis' } }, /head is not a checkpoint/],
      [{ ...proof, type: 'something-else' }, /not a v1 pulsar-gate.audit-inclusion-proof/],
    ];
    for (const [bad, reason] of forged) {
      const checked = await verifyProof(trail, bad, keys);
      expect(checked.exit).toBe(1);
      expect(checked.text).toMatch(reason);
      expect(checked.text).toMatch(/hint: the proof does not hold with these keys/);
    }
  });

  it('a proof under a head signed by a key the auditor does not trust fails, however well it is made', async () => {
    const trail = await writeTrail(4, 2);
    const keys = await keysFile(trail);
    const stranger = await generateServiceKey();
    const theirs = await resign({ ...trail, privateJwk: stranger.privateJwk }, (e) => {
      if (e.record) e.record.verdict = 'allow';
    });
    const theirPath = join(trail.dir, 'theirs.jsonl');
    await writeFile(theirPath, `${theirs.join('\n')}\n`);
    const theirKeys = join(trail.dir, 'their-keys.json');
    await writeFile(theirKeys, JSON.stringify(publicJwksOf([stranger.privateJwk])));
    const proved = await prove(theirPath, theirKeys, sampleRecord(1).requestId);
    expect(proved.exit).toBe(0);
    const checked = await verifyProof(trail, JSON.parse(proved.text), keys);
    expect(checked.exit).toBe(1);
    expect(checked.text).toMatch(/the head: checkpoint signed by an unknown key/);
  });

  it('a decision made before a key rotation: proven under the new key’s head, and its old proof still holds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-rotation-'));
    const [oldKey, newKey] = [await generateServiceKey(), await generateServiceKey()];
    const [before, after] = [
      await createCheckpointSigner(oldKey.privateJwk),
      await createCheckpointSigner(newKey.privateJwk),
    ];
    const file = await TrailFile.open(dir);
    const at = '2026-11-24T12:00:00.000Z';
    const checkpoint = (signer: typeof before) =>
      file.append((h) => signer.sign({ v: 1, ...h, at, type: 'checkpoint', ...file.treeHead() }));
    await file.append((h) => before.sign({ v: 1, ...h, at, type: 'genesis', kid: before.kid }));
    await file.append((h) => ({ v: 1, ...h, at, type: 'decision', record: sampleRecord(1) }));
    await checkpoint(before);
    // SIGHUP: the service signs with the new key from here on.
    await file.append((h) => ({ v: 1, ...h, at, type: 'decision', record: sampleRecord(2) }));
    await checkpoint(after);
    await file.close();
    const trail = { dir } as Trail;
    const both = join(dir, 'audit-keys.json');
    await writeFile(both, JSON.stringify(publicJwksOf([oldKey.privateJwk, newKey.privateJwk])));
    const onlyNew = join(dir, 'decision-keys.json');
    await writeFile(onlyNew, JSON.stringify(publicJwksOf([newKey.privateJwk])));
    const proved = await prove(file.path, both, sampleRecord(1).requestId);
    const proof = JSON.parse(proved.text) as InclusionProof;
    expect(proof).toMatchObject({ index: 1, treeSize: 4, head: { seq: 4 } });
    expect(await verifyProof(trail, proof, onlyNew)).toMatchObject({ exit: 0 });
    // The proof an auditor kept from before the rotation (head at seq 2, the old key).
    const lines = (await readFile(file.path, 'utf8')).split('\n').filter(Boolean);
    const oldHead = JSON.parse(lines[2] ?? '{}');
    const genesisLeaf = toB64url(entryLeafHash(JSON.parse(lines[0] ?? '{}')));
    const kept = { ...proof, treeSize: 2, head: oldHead, auditPath: [genesisLeaf] };
    expect(await verifyProof(trail, kept, both)).toMatchObject({ exit: 0 });
    expect((await verifyProof(trail, kept, onlyNew)).text).toMatch(/unknown key/);
  });

  it('no proof for a request the trail does not hold, nor for a record no head signs yet', async () => {
    const trail = await writeTrail(3, 3);
    const keys = await keysFile(trail);
    const missing = await prove(trail.path, keys, sampleRecord(99).requestId);
    expect(missing.exit).toBe(1);
    expect(missing.text).toMatch(/holds no record of request 00000000-0000-4000-8000-000000000099/);
    const more = await TrailFile.open(trail.dir);
    const at = '2026-11-24T12:10:00.000Z';
    await more.append((h) => ({ v: 1, ...h, at, type: 'decision', record: sampleRecord(5) }));
    await more.close();
    const out = io();
    const flags = { file: trail.path, keys, requestId: sampleRecord(5).requestId, allowUnsignedTail: 'true' };
    expect(await auditProveCommand(flags, out.io)).toBe(1);
    expect(out.out.join('')).toMatch(/\(trail .*, seq 5\) is not under a signed head yet/);
  });
});
