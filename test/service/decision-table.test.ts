import { describe, expect, it } from 'vitest';
import { DecisionTable } from '../../src/service/decision-table.ts';
import { STEP_LIFETIME_MS } from '../../src/service/step-quota.ts';
import { record, T0 } from './decision-record-fixture.ts';

const WINDOW = 300_000;

/** A clock the test moves by hand. */
function handClock(at = T0) {
  let now = at;
  return {
    now: () => now,
    move: (ms: number) => {
      now += ms;
    },
  };
}

const ask = (over: Partial<Parameters<DecisionTable['check']>[0]> = {}) => ({
  requestId: 'r2',
  requestDigest: 'd2',
  stepUuid: '{other-step}',
  keyThumbprint: 'k2',
  eventTime: T0,
  ...over,
});

describe('DecisionTable (P2): what every replica reads from the decisions topic', () => {
  it('a pending record gives way once, to the first final record of the same request and key', () => {
    const table = new DecisionTable(WINDOW, handClock());
    expect(table.apply(record({ verdict: 'pending', decisionJws: 'pending-1' }))).toBe('accepted');
    // Another body or another key under the same id cannot settle it.
    expect(table.apply(record({ verdict: 'allow', requestDigest: 'd-other', decisionJws: 'x' }))).toBe(
      'duplicate',
    );
    expect(table.apply(record({ verdict: 'allow', keyThumbprint: 'k-other', decisionJws: 'y' }))).toBe(
      'duplicate',
    );
    // A second pending (progress) is never recorded over the first.
    expect(table.apply(record({ verdict: 'pending', decisionJws: 'pending-2' }))).toBe('duplicate');
    expect(table.apply(record({ verdict: 'allow', decisionJws: 'approved' }))).toBe('accepted');
    // Settled: a deny from a replica that lost the race is void, and the allow is handed out again.
    expect(table.apply(record({ verdict: 'deny', decisionJws: 'rejected-late' }))).toBe('duplicate');
    expect(table.decisionFor('r1')?.decisionJws).toBe('approved');
  });

  it('the first record of a request id stands; a later one (another replica, a zombie) is void', () => {
    const table = new DecisionTable(WINDOW, handClock());
    expect(table.apply(record())).toBe('accepted');
    expect(table.apply(record({ decisionJws: 'jws-from-elsewhere', verdict: 'deny' }))).toBe('duplicate');
    expect(table.decisionFor('r1')?.decisionJws).toBe('jws-1');
    expect(table.check(ask({ requestId: 'r1', requestDigest: 'd1' }))).toMatchObject({
      kind: 'redelivered',
      record: { decisionJws: 'jws-1' },
    });
  });

  it('another request with a taken id is refused (not answered with the other one’s decision)', () => {
    const table = new DecisionTable(WINDOW, handClock());
    table.apply(record());
    expect(table.check(ask({ requestId: 'r1', requestDigest: 'forged' })).kind).toBe('refused');
  });

  it('the first key that binds a step fixes it: a record with a second key is void, its request asks a deny', () => {
    const table = new DecisionTable(WINDOW, handClock());
    table.apply(record());
    expect(table.apply(record({ requestId: 'r2', keyThumbprint: 'k2', decisionJws: 'jws-2' }))).toBe(
      'second-key',
    );
    expect(table.decisionFor('r2')).toBeUndefined();
    expect(table.check(ask({ stepUuid: '{step}', keyThumbprint: 'k2' }))).toMatchObject({
      kind: 'second-key',
      reason: expect.stringMatching(/a second request key for this step/),
    });
    // The same key again is the same run: fresh.
    expect(table.check(ask({ stepUuid: '{step}', keyThumbprint: 'k1' })).kind).toBe('fresh');
  });

  it('a deny that does not bind the step is the request’s decision but leaves the step free', () => {
    const table = new DecisionTable(WINDOW, handClock());
    expect(table.apply(record({ keyThumbprint: 'k9', verdict: 'deny', bindsStep: false }))).toBe('accepted');
    expect(table.decisionFor('r1')?.verdict).toBe('deny');
    expect(table.check(ask({ stepUuid: '{step}', keyThumbprint: 'k2' })).kind).toBe('fresh');
    // A step's second-key deny, recorded, does not move the step's key either.
    table.apply(record({ requestId: 'r3', keyThumbprint: 'k1' }));
    table.apply(record({ requestId: 'r4', keyThumbprint: 'k2', bindsStep: false, verdict: 'deny' }));
    expect(table.check(ask({ stepUuid: '{step}', keyThumbprint: 'k1' })).kind).toBe('fresh');
  });

  it('two tables fed the same records in the same order agree, whichever replica wrote which', () => {
    const log = [
      record({ requestId: 'a', keyThumbprint: 'k1', decisionJws: 'A' }),
      record({ requestId: 'b', keyThumbprint: 'k2', decisionJws: 'B' }),
      record({ requestId: 'a', keyThumbprint: 'k1', decisionJws: 'A-again' }),
      record({
        requestId: 'b',
        keyThumbprint: 'k2',
        decisionJws: 'B-deny',
        bindsStep: false,
        verdict: 'deny',
      }),
    ];
    const [x, y] = [new DecisionTable(WINDOW, handClock()), new DecisionTable(WINDOW, handClock())];
    expect(log.map((r) => x.apply(r))).toEqual(['accepted', 'second-key', 'duplicate', 'accepted']);
    for (const r of log) y.apply(r);
    expect(['a', 'b'].map((id) => y.decisionFor(id)?.decisionJws)).toEqual(['A', 'B-deny']);
    expect(['a', 'b'].map((id) => x.decisionFor(id)?.decisionJws)).toEqual(['A', 'B-deny']);
  });

  it('refuses an event time outside the window, on either side', () => {
    const table = new DecisionTable(WINDOW, handClock());
    expect(table.check(ask({ eventTime: T0 - 301_000 })).kind).toBe('refused');
    expect(table.check(ask({ eventTime: T0 + 301_000 })).kind).toBe('refused');
    expect(table.check(ask({ eventTime: T0 - 299_000 })).kind).toBe('fresh');
  });

  it('forgets records after twice the window, and a step’s key only after a step’s lifetime', () => {
    const clock = handClock();
    const table = new DecisionTable(WINDOW, clock);
    table.apply(record());
    clock.move(2 * WINDOW - 1);
    expect(table.size).toBe(1);
    clock.move(2);
    expect(table.check(ask()).kind).toBe('refused'); // outside the window anyway
    expect(table.size).toBe(0);
    expect(table.check(ask({ stepUuid: '{step}', keyThumbprint: 'k2', eventTime: clock.now() })).kind).toBe(
      'second-key',
    );
    clock.move(STEP_LIFETIME_MS);
    expect(table.check(ask({ stepUuid: '{step}', keyThumbprint: 'k2', eventTime: clock.now() })).kind).toBe(
      'fresh',
    );
    expect(table.steps).toBe(0);
  });
});
