import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditVerifyCommand } from '../../cli/admin/audit/audit-command.ts';
import { toB64url } from '../../src/audit/tree-head.ts';
import { verifyTrail } from '../../src/audit/verify-trail.ts';
import { checkWitness } from '../../src/audit/witness.ts';
import { io, keysFile, type Raw, resign, writeTrail } from './trail-fixture.ts';

const heads = (lines: readonly string[]) => lines.filter((l) => l.includes('"type":"checkpoint"'));
const denyToAllow = (seq: number) => (e: Raw) => {
  if (e.seq === seq && e.record) e.record.verdict = 'allow';
};

describe('signed tree heads (RFC 9162) in the trail (issue 15 §3)', () => {
  it('every checkpoint is a tree head over the entries before it, proven consistent with the one before', async () => {
    const trail = await writeTrail(7, 3);
    const verdict = await verifyTrail(trail.lines, trail.keys, { ordered: true });
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    const { tree, heads: signed } = verdict.trees.get(verdict.trails[0]?.trail ?? '') ?? {};
    expect(signed?.map((h) => [h.seq, h.size, h.consistency?.from])).toEqual([
      [4, 4, undefined],
      [8, 8, 4],
      [10, 10, 8],
    ]);
    for (const h of signed ?? []) expect(h.root).toBe(toB64url(tree?.root(h.size) ?? Buffer.alloc(0)));
  });

  it('a tampered tree head — a root that is not the entries’ root, signed with the real key — fails', async () => {
    const trail = await writeTrail(6, 3);
    const other = Buffer.alloc(32, 7).toString('base64url');
    const bent = await resign(
      trail,
      () => {},
      (h) => (h.seq === 8 ? { ...h, root: other } : h),
    );
    const result = await verifyTrail(bent, trail.keys, { ordered: true });
    expect(result).toMatchObject({ ok: false, broken: { seq: 8 } });
    if (!result.ok)
      expect(result.broken.reason).toBe(
        "the tree head's root is not the Merkle root of the 8 entries before it",
      );
    const lying = await resign(
      trail,
      () => {},
      (h) => (h.seq === 8 ? { ...h, size: 7 } : h),
    );
    const sized = await verifyTrail(lying, trail.keys, { ordered: true });
    if (!sized.ok) expect(sized.broken.reason).toMatch(/claims 7 entries, but 8 come before it/);
    expect(sized.ok).toBe(false);
  });

  it('a head whose consistency proof is missing, from elsewhere or wrong fails, signature or not', async () => {
    const trail = await writeTrail(6, 3);
    const cases: [(h: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
      [({ consistency: _c, ...h }) => h, /carries no consistency proof from size 4/],
      [
        (h) => ({ ...h, consistency: { from: 3, path: [] } }),
        /proven against size 3, not the previous head's 4/,
      ],
      [
        (h) => ({ ...h, consistency: { from: 4, path: [Buffer.alloc(32).toString('base64url')] } }),
        /not consistent with the head of size 4/,
      ],
    ];
    for (const [bend, reason] of cases) {
      const bent = await resign(
        trail,
        () => {},
        (h) => (h.seq === 8 ? (bend({ ...h }) as never) : h),
      );
      const result = await verifyTrail(bent, trail.keys, { ordered: true });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.broken.reason).toMatch(reason);
    }
  });

  it('the past rewritten and re-signed with the key verifies alone, but not against the heads that were kept', async () => {
    const trail = await writeTrail(6, 3);
    const kept = heads(trail.lines);
    const rewritten = await resign(trail, denyToAllow(2));
    expect((await verifyTrail(rewritten, trail.keys, { ordered: true })).ok).toBe(true);
    const held = await checkWitness(rewritten, kept, { keys: trail.keys });
    expect(held).toMatchObject({ ok: false, broken: { seq: 4 } });
    if (!held.ok) expect(held.broken.reason).toMatch(/not an extension of the file's trail.*rewritten/);
  });

  it('audit verify --witness with a file of the heads an auditor kept: the real trail passes, the rewritten one fails', async () => {
    const trail = await writeTrail(6, 3);
    const keys = await keysFile(trail);
    const kept = join(trail.dir, 'kept-heads.jsonl');
    await writeFile(kept, `${heads(trail.lines).join('\n')}\n`);
    const intact = io();
    expect(await auditVerifyCommand({ file: trail.path, keys, witness: kept }, intact.io)).toBe(0);
    expect(intact.out.join('')).toMatch(
      /witness .*kept-heads.jsonl: trail .* holds the signed head at seq 8/,
    );
    const rewritten = join(trail.dir, 'rewritten.jsonl');
    await writeFile(rewritten, `${(await resign(trail, denyToAllow(2))).join('\n')}\n`);
    const alone = io();
    expect(await auditVerifyCommand({ file: rewritten, keys }, alone.io)).toBe(0);
    const against = io();
    expect(await auditVerifyCommand({ file: rewritten, keys, witness: `file:${kept}` }, against.io)).toBe(1);
    expect(against.out.join('')).toMatch(
      /✖ .* seq 4: the witness's signed head at seq 4 is not an extension/,
    );
  });

  it('a witness whose newer head is not consistent with its older one fails, even beside a file that matches the newer', async () => {
    const trail = await writeTrail(6, 3);
    const rewritten = await resign(trail, denyToAllow(2));
    // Only the first head was kept from the real trail; the later ones come from the rewrite.
    const mixed = [heads(trail.lines)[0] ?? '', ...heads(rewritten).slice(1)];
    const fromRewrite = await checkWitness(rewritten, mixed, { keys: trail.keys });
    expect(fromRewrite.ok).toBe(false);
    if (!fromRewrite.ok)
      expect(fromRewrite.broken.reason).toMatch(
        /^the witness's signed heads disagree: .*not consistent with the head of size 4/,
      );
  });
});
