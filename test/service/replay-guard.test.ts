import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayGuard, type RequestRecord } from '../../src/service/replay-guard.ts';

const now = Date.parse('2026-11-24T12:00:00Z');
const record = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  requestId: 'r1',
  requestDigest: 'd1',
  stepUuid: '{step}',
  keyThumbprint: 'k1',
  decisionJws: 'jws-1',
  verdict: 'allow',
  eventTime: now,
  ...over,
});
const input = (over: Partial<Parameters<ReplayGuard['check']>[0]> = {}) => ({
  requestId: 'r2',
  requestDigest: 'd2',
  stepUuid: '{other-step}',
  keyThumbprint: 'k2',
  eventTime: now,
  now,
  ...over,
});

describe('ReplayGuard (P2)', () => {
  it('hands a redelivered request the decision already made, and refuses its id to anything else', async () => {
    const guard = await ReplayGuard.open(undefined, 300_000, now);
    await guard.record(record());
    expect(guard.check(input({ requestId: 'r1', requestDigest: 'd1' }))).toEqual({
      kind: 'redelivered',
      decisionJws: 'jws-1',
      verdict: 'allow',
    });
    expect(guard.check(input({ requestId: 'r1', requestDigest: 'other' })).kind).toBe('refused');
  });

  it('refuses an event time outside the window, both ways', async () => {
    const guard = await ReplayGuard.open(undefined, 300_000, now);
    expect(guard.check(input({ eventTime: now - 301_000 })).kind).toBe('refused');
    expect(guard.check(input({ eventTime: now + 301_000 })).kind).toBe('refused');
    expect(guard.check(input({ eventTime: now - 299_000 })).kind).toBe('fresh');
  });

  it('refuses a second signing key for one step', async () => {
    const guard = await ReplayGuard.open(undefined, 300_000, now);
    await guard.record(record());
    expect(guard.check(input({ stepUuid: '{step}', keyThumbprint: 'k-other' }))).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('another key'),
    });
    expect(guard.check(input({ stepUuid: '{step}', keyThumbprint: 'k1' })).kind).toBe('fresh');
  });

  it('survives a restart, skipping a torn last line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guard-'));
    const first = await ReplayGuard.open(dir, 300_000, now);
    await first.record(record());
    await appendFile(join(dir, 'replay.jsonl'), '{"requestId":"torn","reque');
    const second = await ReplayGuard.open(dir, 300_000, now + 1_000);
    expect(second.size).toBe(1);
    expect(second.check(input({ requestId: 'r1', requestDigest: 'd1' })).kind).toBe('redelivered');
    expect(second.check(input({ stepUuid: '{step}', keyThumbprint: 'k-other' })).kind).toBe('refused');
  });

  it('forgets what the window already protects', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guard-'));
    const first = await ReplayGuard.open(dir, 300_000, now);
    await first.record(record());
    const later = await ReplayGuard.open(dir, 300_000, now + 3_600_000);
    expect(later.size).toBe(0);
  });
});
