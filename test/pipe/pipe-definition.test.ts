import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../../pipe/variables.ts';

// pipe.yml (what Bitbucket's pipe registry reads), the README's YAML Definition and
// pipe/variables.ts (what the pipe parses) must name the same variables with the same
// defaults: a pipeline author copies from the README and Bitbucket shows pipe.yml.
const root = new URL('../../', import.meta.url);
const PIPE_YML = readFileSync(new URL('pipe.yml', root), 'utf8');
const README = readFileSync(new URL('README.md', root), 'utf8');
const specs = Object.values(VARIABLES);

/** `- name: X` entries of pipe.yml's `variables:` list, with their `default:` if any. */
function pipeYmlVariables(): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const lines = PIPE_YML.slice(PIPE_YML.indexOf('\nvariables:')).split('\n');
  let current: string | undefined;
  for (const line of lines) {
    const name = /^\s+- name: (\S+)\s*$/.exec(line)?.[1];
    if (name) {
      current = name;
      out.set(name, undefined);
    }
    const value = /^\s+default: (.+)$/.exec(line)?.[1];
    if (value !== undefined && current) out.set(current, value.replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** The `variables:` of the README's YAML Definition: `NAME: value` or `# NAME: '<type>' # … Default: X.` */
function yamlDefinition(): Map<string, { optional: boolean; default?: string }> {
  const start = README.indexOf('## YAML Definition');
  const block = README.slice(README.indexOf('```yaml', start), README.indexOf('```\n', start + 20));
  const out = new Map<string, { optional: boolean; default?: string }>();
  for (const line of block.split('\n')) {
    const m = /^\s+(# )?([A-Z_]+): .*?(?:Default: (.+?)\.)?\s*$/.exec(line);
    if (!m?.[2]) continue;
    out.set(m[2], { optional: m[1] !== undefined, ...(m[3] ? { default: m[3] } : {}) });
  }
  return out;
}

/** A plain default (a string, number or boolean) as a person writes it. */
function plainDefault(spec: (typeof specs)[number]): string | undefined {
  if (!('fallback' in spec)) return undefined;
  const value: unknown = spec.fallback;
  return ['string', 'number', 'boolean'].includes(typeof value) ? String(value) : undefined;
}

describe('pipe.yml, the README YAML Definition and pipe/variables.ts agree', () => {
  it('pipe.yml lists every variable, and no other', () => {
    expect([...pipeYmlVariables().keys()].sort()).toEqual(
      [
        ...specs.map((s) => s.env),
        ...specs.filter((s) => 'secret' in s && s.secret).map((s) => `${s.env}_FILE`),
      ].sort(),
    );
  });

  it('the YAML Definition shows every variable; required ones set, optional ones commented', () => {
    const shown = yamlDefinition();
    for (const spec of specs) {
      const entry = shown.get(spec.env);
      expect(entry, spec.env).toBeDefined();
      expect(entry?.optional, spec.env).toBe(!('required' in spec && spec.required === true));
    }
  });

  it('defaults are the same in all three', () => {
    const yml = pipeYmlVariables();
    const shown = yamlDefinition();
    for (const spec of specs) {
      const plain = plainDefault(spec);
      if (plain === undefined) continue;
      expect(yml.get(spec.env), `pipe.yml ${spec.env}`).toBe(plain);
      expect(shown.get(spec.env)?.default, `README ${spec.env}`).toBe(plain);
    }
  });
});
