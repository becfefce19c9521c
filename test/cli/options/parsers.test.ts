import { describe, expect, it } from 'vitest';
import { boolean, integer, list, oneOf, pulsarUrl, topic, url } from '../../../cli/options/parsers.ts';

describe('the shared parsers', () => {
  it('booleans: true/false/1/0/yes/no/on/off in any case, anything else a problem', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'On'])
      expect(boolean(word)).toEqual({ ok: true, value: true });
    for (const word of ['false', 'False', '0', 'no', 'OFF'])
      expect(boolean(word)).toEqual({ ok: true, value: false });
    for (const word of ['maybe', 'y', '2', 'truthy']) expect(boolean(word).ok).toBe(false);
  });

  it('integers: whole numbers within [min, max], the bounds named', () => {
    const seconds = integer(5, 3600);
    expect(seconds('5')).toEqual({ ok: true, value: 5 });
    expect(seconds('3600')).toEqual({ ok: true, value: 3600 });
    for (const text of ['4', '3601', '-1', '1.5', '10m', '1e3'])
      expect(seconds(text)).toEqual({ ok: false, issue: 'must be a whole number from 5 to 3600' });
  });

  it('topics: the forms parseTopic knows, kept as given; its reason otherwise', () => {
    expect(topic('gates')).toEqual({ ok: true, value: 'gates' });
    expect(topic('persistent://a/b/c')).toEqual({ ok: true, value: 'persistent://a/b/c' });
    expect(topic('a/b')).toEqual({
      ok: false,
      issue: 'expected NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME',
    });
    expect(topic('a b').ok).toBe(false);
  });

  it('choices, URLs and lists', () => {
    expect(oneOf(['ES256', 'EdDSA'])('EdDSA')).toEqual({ ok: true, value: 'EdDSA' });
    expect(oneOf(['ES256', 'EdDSA'])('RS256')).toEqual({ ok: false, issue: 'is not one of ES256, EdDSA' });
    expect(pulsarUrl('pulsar+ssl://broker:6651').ok).toBe(true);
    expect(pulsarUrl('smtp://x').ok).toBe(false);
    expect(url(['https'])('http://x').ok).toBe(false);
    expect(list(topic)('a, b ,c')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(list(topic)('a,x/y')).toEqual({
      ok: false,
      issue: 'item "x/y" expected NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME',
    });
  });
});
