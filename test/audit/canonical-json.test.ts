import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('orders members by UTF-16 code units, as RFC 8785 §3.2.3’s example does', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Object.keys would put "1" first (an integer-like key): read the order off the text.
    const text = canonicalJson(value);
    const order = Object.keys(value).sort(
      (x, y) => text.indexOf(JSON.stringify(x)) - text.indexOf(JSON.stringify(y)),
    );
    expect(order).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('nests, leaves undefined members out, writes an undefined array item as null, and refuses what JSON cannot hold', () => {
    expect(
      canonicalJson({ z: [1, undefined, { b: 'x', a: undefined }], a: { d: 2e-7, c: 1e21 }, m: false }),
    ).toBe('{"a":{"c":1e+21,"d":2e-7},"m":false,"z":[1,null,{"b":"x"}]}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot hold a function/);
  });
});
