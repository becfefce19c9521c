import { describe, expect, it } from 'vitest';
import { boolean, integer, text, topic } from '../../../cli/options/parsers.ts';
import { readOptions } from '../../../cli/options/read.ts';
import { options, type Rule } from '../../../cli/options/spec.ts';

const TABLE = options({
  url: { flag: '--url', env: 'URL', required: true, parse: text, accepts: 'a URL' },
  topic: { flag: '--topic', env: 'TOPIC', parse: topic, accepts: 'a topic' },
  count: { flag: '--count', env: 'COUNT', parse: integer(1, 9), fallback: 3, accepts: 'a count, 1–9' },
  debug: { flag: '--debug', env: 'DEBUG', parse: boolean, fallback: false, accepts: 'true or false' },
  token: { flag: '--token', env: 'TOKEN', secret: true, parse: text, accepts: 'a token' },
  region: { flag: '--region', env: 'REGION', alsoEnv: ['DEFAULT_REGION'], parse: text, accepts: 'a region' },
});

/** A file system of two files; anything else is missing. */
const files = (path: string): string => {
  if (path === '/run/token') return 's3cr3t-from-file\n';
  if (path === '/run/empty') return '  \n';
  throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
};

const read = (
  env: Record<string, string>,
  flags: Record<string, string | boolean> = {},
  rules: Rule<typeof TABLE>[] = [],
) => readOptions(TABLE, { flags, env }, rules, files);

const problems = (...args: Parameters<typeof read>): readonly string[] => {
  const result = read(...args);
  return result.ok ? [] : result.problems;
};

describe('readOptions', () => {
  it('returns frozen, typed values with fallbacks; flags over variables; further variables in order', () => {
    const result = read({ URL: 'u', COUNT: '4', DEFAULT_REGION: 'eu' }, { count: '7', debug: true });
    expect(result).toEqual({
      ok: true,
      values: { url: 'u', topic: undefined, count: 7, debug: true, token: undefined, region: 'eu' },
    });
    expect(result.ok && Object.isFrozen(result.values)).toBe(true);
  });

  it('lists every problem at once, one line each naming where the value came from and what it accepts', () => {
    expect(problems({ TOPIC: 'a/b', DEBUG: 'maybe' }, { count: '0' })).toEqual([
      'URL: is required; accepts a URL',
      'TOPIC: expected NAME, TENANT/NAMESPACE/NAME or persistent://TENANT/NAMESPACE/NAME (got "a/b"); accepts a topic',
      '--count: must be a whole number from 1 to 9 (got "0"); accepts a count, 1–9',
      'DEBUG: is not a boolean (true/false, 1/0, yes/no, on/off) (got "maybe"); accepts true or false',
    ]);
  });

  it('adds the problems of cross-option rules to the others', () => {
    const rule: Rule<typeof TABLE> = (v) =>
      v.topic === undefined ? [{ key: 'topic', issue: 'is required with DEBUG' }] : [];
    expect(problems({ DEBUG: 'on' }, {}, [rule])).toEqual([
      'URL: is required; accepts a URL',
      'TOPIC: is required with DEBUG; accepts a topic',
    ]);
  });

  it('reads a secret from X_FILE or --x-file, trimmed', () => {
    const fromEnv = read({ URL: 'u', TOKEN_FILE: '/run/token' });
    expect(fromEnv.ok && fromEnv.values.token).toBe('s3cr3t-from-file');
    const fromFlag = read({ URL: 'u' }, { tokenFile: '/run/token' });
    expect(fromFlag.ok && fromFlag.values.token).toBe('s3cr3t-from-file');
  });

  it('refuses X and X_FILE together', () => {
    expect(problems({ URL: 'u', TOKEN: 'abc', TOKEN_FILE: '/run/token' })).toEqual([
      'TOKEN: is given together with TOKEN_FILE; give one of them; accepts a token',
    ]);
  });

  it('an unreadable or empty X_FILE is one line naming it and the errno, never the content', () => {
    expect(problems({ URL: 'u', TOKEN_FILE: '/run/absent' })).toEqual([
      'TOKEN_FILE: cannot read /run/absent (ENOENT); accepts a token',
    ]);
    expect(problems({ URL: 'u' }, { tokenFile: '/run/empty' })).toEqual([
      '--token-file: /run/empty is empty; accepts a token',
    ]);
  });

  it('never shows a secret value, whatever is wrong', () => {
    const rule: Rule<typeof TABLE> = (v) =>
      v.token === undefined ? [] : [{ key: 'token', issue: 'is refused', value: v.token }];
    const lines = [
      ...problems({ TOKEN: 'hunter2-secret' }, {}, [rule]),
      ...problems({ TOKEN_FILE: '/run/token' }, {}, [rule]),
      ...problems({}, { token: 'hunter2-secret', tokenFile: '/run/token' }),
    ].join('\n');
    expect(lines).toContain('TOKEN: is refused; accepts a token');
    expect(lines).toContain('TOKEN_FILE: is refused; accepts a token');
    expect(lines).not.toContain('hunter2');
    expect(lines).not.toContain('s3cr3t');
  });

  it('a required secret is asked for by its file form', () => {
    const table = options({
      secret: {
        flag: '--secret',
        env: 'SECRET',
        secret: true,
        required: true,
        parse: text,
        accepts: 'a secret',
      },
    });
    expect(readOptions(table, { flags: {}, env: {} })).toEqual({
      ok: false,
      problems: ['SECRET_FILE: is required (or SECRET); accepts a secret'],
    });
  });
});
