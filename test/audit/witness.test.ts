import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { type AuditEntry, entryDigest, GENESIS } from '../../src/audit/entry.ts';
import { checkWitness } from '../../src/audit/witness.ts';
import { sampleRecord } from './trail-fixture.ts';

/** A long trail by content only (the service's start-up check compares without keys). */
function longTrail(size: number): string[] {
  const base = sampleRecord(0);
  const lines: string[] = [];
  let prev = GENESIS;
  for (let seq = 0; seq < size; seq++) {
    const at = '2026-11-24T12:00:00.000Z';
    const entry: AuditEntry =
      seq === size - 1
        ? {
            v: 1,
            trail: 't',
            seq,
            prev,
            at,
            type: 'checkpoint',
            size: seq,
            root: 'unchecked',
            signature: 'unchecked',
          }
        : { v: 1, trail: 't', seq, prev, at, type: 'decision', record: { ...base, requestId: `r${seq}` } };
    lines.push(canonicalJson(entry));
    prev = entryDigest(entry);
  }
  return lines;
}

describe('checkWitness on a long trail', () => {
  it('150 000 entries: holds when the file has the head, names the cut when it does not', async () => {
    const lines = longTrail(150_000);
    const head = lines.slice(-1);
    expect(await checkWitness(lines, head, { trail: 't' })).toMatchObject({
      ok: true,
      heads: [{ seq: 149_999 }],
    });
    const cut = await checkWitness(lines.slice(0, -1), head, { trail: 't' });
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.broken.reason).toMatch(/^the file is behind the witness: it ends at seq 149998/);
  });
});
