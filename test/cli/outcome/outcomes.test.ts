import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failed, outcomeOf } from '../../../cli/outcome/end.ts';
import { EXIT, type Family } from '../../../cli/outcome/exit.ts';
import { OUTCOMES } from '../../../cli/outcome/outcomes.ts';
import { GateError } from '../../../src/errors.ts';

// The union is a type, gone at run time: read its members from the source.
const ERRORS = readFileSync(new URL('../../../src/errors.ts', import.meta.url), 'utf8');
const CODES = [...ERRORS.slice(0, ERRORS.indexOf('export class')).matchAll(/\|\s*'([A-Z_]+)'/g)].map(
  (m) => m[1],
);
const FAMILIES: readonly Family[] = ['request', 'serve', 'keys', 'audit', 'policy', 'onboard', 'webhooks'];

describe('the outcome table (cli/outcome/outcomes.ts)', () => {
  it('has an entry for every ErrorCode, and nothing else', () => {
    expect(CODES.length).toBeGreaterThan(30);
    expect(Object.keys(OUTCOMES).sort()).toEqual([...CODES].sort());
  });

  it('gives every code an exit code of the documented set and a hint for every family', () => {
    const codes = new Set<number>(Object.values(EXIT));
    for (const code of Object.keys(OUTCOMES) as (keyof typeof OUTCOMES)[])
      for (const family of FAMILIES) {
        const outcome = outcomeOf(code, family);
        expect(codes.has(outcome.exit)).toBe(true);
        expect(outcome.hint).not.toBe('');
      }
  });

  it('configuration is exit 2 for every family, in the family’s words', () => {
    for (const family of FAMILIES) expect(outcomeOf('CONFIG_INVALID', family).exit).toBe(2);
    expect(outcomeOf('CONFIG_INVALID', 'request').hint).toContain('bitbucket-pipelines.yml');
    expect(outcomeOf('CONFIG_INVALID', 'serve').hint).not.toContain('bitbucket-pipelines.yml');
  });

  it('ends a command: one ✖ line per message line, the hint, the exit code; a bug is exit 1', () => {
    const out: string[] = [];
    const write = (text: string) => void out.push(text);
    const code = failed(new GateError('PULSAR_AUTH', 'refused\nby the broker'), 'keys rotate', 'keys', write);
    expect(code).toBe(5);
    expect(out.join('')).toBe(
      `✖ keys rotate: refused\n✖ keys rotate: by the broker\n  hint: ${outcomeOf('PULSAR_AUTH', 'keys').hint}\n`,
    );
    expect(failed(new TypeError('x is undefined'), 'serve', 'serve', write)).toBe(1);
  });
});
