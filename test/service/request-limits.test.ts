import { describe, expect, it } from 'vitest';
import { InMemoryRequestLimiter, type LimitedRequest } from '../../src/service/request-limits.ts';
import { STEP_LIFETIME_MS } from '../../src/service/step-quota.ts';
import { TokenBuckets } from '../../src/service/token-buckets.ts';

/** A clock the test moves by hand. */
const manualClock = (start = Date.parse('2026-11-24T12:00:00Z')) => {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
};

const REPO = '{6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b}';
const request = (step: string, id: string, repositoryUuid = REPO): LimitedRequest => ({
  stepUuid: step,
  repositoryUuid,
  requestId: id,
});

describe('MAX_REQUESTS_PER_STEP: distinct requests one verified step may have decided', () => {
  it('admits the first N request ids of a step, refuses the next with the reason, and lets other steps through', async () => {
    const limiter = new InMemoryRequestLimiter({ perStep: 3, perRepositoryPerMinute: 1000 }, manualClock());
    const verdicts = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) verdicts.push((await limiter.admit(request('{s1}', id))).ok);
    expect(verdicts).toEqual([true, true, true, false, false]);
    expect(await limiter.admit(request('{s1}', 'f'))).toEqual({
      ok: false,
      limit: 'step',
      reason: 'limit: step {s1} already had 3 requests decided (MAX_REQUESTS_PER_STEP)',
    });
    expect((await limiter.admit(request('{s2}', 'a'))).ok).toBe(true);
  });

  it('a redelivery of an admitted request is admitted again without taking a slot', async () => {
    const limiter = new InMemoryRequestLimiter({ perStep: 2, perRepositoryPerMinute: 1000 }, manualClock());
    for (let i = 0; i < 5; i++) expect((await limiter.admit(request('{s1}', 'a'))).ok).toBe(true);
    expect((await limiter.admit(request('{s1}', 'b'))).ok).toBe(true);
    expect((await limiter.admit(request('{s1}', 'c'))).ok).toBe(false);
    expect((await limiter.admit(request('{s1}', 'b'))).ok).toBe(true);
  });

  it('a step is forgotten only once no step can still run', async () => {
    const clock = manualClock();
    const limiter = new InMemoryRequestLimiter({ perStep: 1, perRepositoryPerMinute: 1000 }, clock);
    expect((await limiter.admit(request('{s1}', 'a'))).ok).toBe(true);
    clock.advance(STEP_LIFETIME_MS - 1);
    expect((await limiter.admit(request('{s1}', 'b'))).ok).toBe(false);
    clock.advance(1);
    expect((await limiter.admit(request('{s1}', 'b'))).ok).toBe(true);
  });
});

describe('RATE_LIMIT_PER_REPOSITORY: a token bucket per verified repository', () => {
  it('bursts up to N, then refills N per minute; a refusal takes no step slot', async () => {
    const clock = manualClock();
    const limiter = new InMemoryRequestLimiter({ perStep: 2, perRepositoryPerMinute: 4 }, clock);
    const admitted = [];
    for (let i = 0; i < 6; i++) admitted.push((await limiter.admit(request(`{step-${i}}`, 'x'))).ok);
    expect(admitted).toEqual([true, true, true, true, false, false]);
    expect(await limiter.admit(request('{step-9}', 'y'))).toEqual({
      ok: false,
      limit: 'repository',
      reason: `limit: repository ${REPO} sent more than 4 requests a minute (RATE_LIMIT_PER_REPOSITORY)`,
    });
    // Another repository has its own bucket.
    expect((await limiter.admit(request('{elsewhere}', 'y', '{other}'))).ok).toBe(true);
    // One token back after a quarter minute, not before.
    clock.advance(14_999);
    expect((await limiter.admit(request('{step-4}', 'x'))).ok).toBe(false);
    clock.advance(1);
    expect((await limiter.admit(request('{step-4}', 'x'))).ok).toBe(true);
    expect((await limiter.admit(request('{step-5}', 'x'))).ok).toBe(false);
    // The refused step-9 request took no slot of its step: it still has both.
    clock.advance(60_000);
    expect((await limiter.admit(request('{step-9}', 'p'))).ok).toBe(true);
    expect((await limiter.admit(request('{step-9}', 'q'))).ok).toBe(true);
    expect((await limiter.admit(request('{step-9}', 'r'))).ok).toBe(false);
  });

  it('never holds more than N, however long a repository was idle, and a clock stepping back refills nothing', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets(2, 60_000, clock);
    clock.advance(3_600_000);
    expect([buckets.take('r'), buckets.take('r'), buckets.take('r')]).toEqual([true, true, false]);
    clock.advance(-3_600_000);
    expect(buckets.take('r')).toBe(false);
  });
});
