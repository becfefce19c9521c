import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../../pipe/variables.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the README's variables table: `| NAME (*) | usage |`. */
function readmeRows(): { name: string; required: boolean; usage: string }[] {
  const start = README.indexOf('| Variable | Usage |');
  const table = README.slice(start, README.indexOf('\n\n', start)).split('\n').slice(2);
  return table.map((row) => {
    const [, name = '', usage = ''] = row.split('|').map((cell) => cell.trim());
    return { name: name.replace(' (*)', ''), required: name.endsWith('(*)'), usage };
  });
}

describe('the pipe variables table drives the README', () => {
  it('lists every variable once, required ones marked (*), and nothing else', () => {
    const rows = readmeRows();
    const specs = Object.values(VARIABLES);
    expect(rows.map((r) => r.name).sort()).toEqual(specs.map((s) => s.env).sort());
    for (const spec of specs)
      expect(rows.find((r) => r.name === spec.env)?.required).toBe(
        'required' in spec && spec.required === true,
      );
  });

  it('names the _FILE form of every secret', () => {
    for (const spec of Object.values(VARIABLES))
      if ('secret' in spec && spec.secret)
        expect(readmeRows().find((r) => r.name === spec.env)?.usage).toContain(`${spec.env}_FILE`);
  });
});
