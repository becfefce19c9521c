import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { auditVerifyCommand } from '../../cli/admin/audit/audit-command.ts';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { verifyTrail } from '../../src/audit/verify-trail.ts';
import { forge, io, keysFile, type Raw, writeTrail } from './trail-fixture.ts';

const toAllow = (e: Raw) => {
  if (e.record) e.record.verdict = 'allow';
};

describe('nothing unsigned passes (issue 15 §1)', () => {
  it('a keyless forged trail (no checkpoint, verdicts changed, chain rebuilt) fails, genesis or not', async () => {
    const real = await writeTrail(6, 3);
    const decisionsOnly = forge(real.lines, (e) => e.type === 'decision', toAllow);
    const noGenesis = await verifyTrail(decisionsOnly, real.keys, { ordered: true });
    expect(noGenesis).toMatchObject({ ok: false, broken: { seq: 0, position: 1 } });
    if (!noGenesis.ok)
      expect(noGenesis.broken.reason).toMatch(/has no genesis: its first entry is a decision/);
    // The real genesis copied in front: it verifies, but nothing after it is signed.
    const withGenesis = forge(real.lines, (e) => e.type !== 'checkpoint', toAllow);
    for (const allowUnsignedTail of [false, true]) {
      const result = await verifyTrail(withGenesis, real.keys, { ordered: true, allowUnsignedTail });
      expect(result).toMatchObject({ ok: false, broken: { seq: 6 } });
      if (!result.ok) expect(result.broken.reason).toMatch(/^no signed checkpoint/);
    }
  });

  it('a deny after the last checkpoint rewritten to allow: exit 1, and 4 (never 0) with --allow-unsigned-tail', async () => {
    const trail = await writeTrail(5, 3);
    const keys = await keysFile(trail);
    // seq 5 and 6 follow the checkpoint at seq 4; drop the final checkpoint, rewrite seq 6.
    const tail = trail.lines.slice(0, -1);
    const last = JSON.parse(tail[6] ?? '{}') as Raw;
    expect(last).toMatchObject({ seq: 6, type: 'decision' });
    tail[6] = canonicalJson({ ...last, record: { ...last.record, verdict: 'allow', reasons: [] } });
    await writeFile(trail.path, `${tail.join('\n')}\n`);
    const strict = io();
    expect(await auditVerifyCommand({ file: trail.path, keys }, strict.io)).toBe(1);
    expect(strict.out.join('')).toMatch(
      /✖ .* seq 6.*2 record\(s\) after the last checkpoint \(seq 4\) are not signed: seq 5–6/,
    );
    const lenient = io();
    expect(await auditVerifyCommand({ file: trail.path, keys, allowUnsignedTail: 'true' }, lenient.io)).toBe(
      4,
    );
    expect(lenient.out.join('')).toMatch(/⚠ audit trail .*\n.*2 records after it NOT SIGNED \(seq 5–6\)/);
  });

  it('an extra trail (replica-2) beside the real one fails the whole source, named — copied genesis or none', async () => {
    const real = await writeTrail(4, 2);
    const rename = (e: Raw) => {
      e.trail = 'replica-2';
    };
    const unsigned = forge(real.lines, (e) => e.type === 'decision', rename);
    const result = await verifyTrail([...real.lines, ...unsigned], real.keys, { ordered: false });
    expect(result).toMatchObject({ ok: false, broken: { trail: 'replica-2', seq: 0 } });
    if (!result.ok) expect(result.broken.reason).toMatch(/trail replica-2 has no genesis/);
    // The real genesis and checkpoints renamed: their signatures no longer cover them.
    const renamed = forge(real.lines, () => true, rename);
    const copied = await verifyTrail([...real.lines, ...renamed], real.keys, { ordered: false });
    expect(copied).toMatchObject({ ok: false, broken: { trail: 'replica-2', seq: 0 } });
    if (!copied.ok)
      expect(copied.broken.reason).toBe(
        'trail replica-2 has no valid genesis: genesis signature covers other content than the entry',
      );
  });

  it('a genesis in the middle of a trail is refused', async () => {
    const real = await writeTrail(2, 2);
    const doubled = forge([...real.lines, real.lines[0] ?? ''], () => true);
    const result = await verifyTrail(doubled, real.keys, { ordered: true });
    expect(result.ok).toBe(false);
  });
});
