import { describe, expect, it } from 'vitest';
import { parseDecisionRecord } from '../../src/service/decision-record.ts';
import { record } from './decision-record-fixture.ts';

describe('parseDecisionRecord: a message on the decisions topic is checked, never trusted blindly', () => {
  it('round-trips a record', () => {
    expect(parseDecisionRecord(JSON.stringify(record()))).toEqual(record());
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['a missing jws', JSON.stringify({ ...record(), decisionJws: undefined })],
    ['an empty request id', JSON.stringify({ ...record(), requestId: '' })],
    ['another verdict', JSON.stringify({ ...record(), verdict: 'maybe' })],
    ['a textual event time', JSON.stringify({ ...record(), eventTime: '2026' })],
    ['no bindsStep', JSON.stringify({ ...record(), bindsStep: undefined })],
  ])('refuses %s', (_what, text) => {
    expect(parseDecisionRecord(text)).toBeUndefined();
  });
});
