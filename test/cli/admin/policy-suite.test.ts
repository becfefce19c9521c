// Issue 19 §3: `policy test --suite`, `policy validate`, `policy format`, in process, against
// copies of examples/policies that each test breaks the way a policy author might.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyFormatCommand } from '../../../cli/admin/policy/policy-format-command.ts';
import { policyTestCommand } from '../../../cli/admin/policy/policy-test-command.ts';
import { policyValidateCommand } from '../../../cli/admin/policy/policy-validate-command.ts';
import type { Io } from '../../../cli/io.ts';
import { copyOfExamples, EXAMPLES } from '../../policy/fixtures.ts';

type Flags = Record<string, string | boolean>;
async function run(command: (flags: Flags, io: Io) => Promise<number>, flags: Flags) {
  const out: string[] = [];
  const code = await command(flags, { write: (t) => void out.push(t), env: {}, cwd: process.cwd() });
  return { code, output: out.join('') };
}

const SUITE = join(EXAMPLES, 'tests');
const suiteText = () => readFile(join(SUITE, 'sample-policies.json'), 'utf8');

/** A copy of the examples with its suite, edited by `edit` (JSON in, JSON out). */
async function suiteCopy(edit: (suite: { cases: Array<Record<string, unknown>> }) => void) {
  const dir = await copyOfExamples();
  const suite = JSON.parse(await suiteText());
  edit(suite);
  await mkdir(join(dir, 'tests'), { recursive: true });
  await writeFile(join(dir, 'tests', 'sample-policies.json'), JSON.stringify(suite));
  return dir;
}

describe('policy test --suite', () => {
  it('passes the shipped suite over examples/policies, with a summary line and a JUnit report', async () => {
    const junit = join(await copyOfExamples(), 'test-results', 'policy.xml');
    const { code, output } = await run(policyTestCommand, { policyDir: EXAMPLES, suite: SUITE, junit });
    expect(output).toContain('14 passed, 0 failed');
    expect(code).toBe(0);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites [^>]*tests="14" failures="0"/,
    );
    expect(xml.match(/<testcase /g)).toHaveLength(14);
    expect(xml).not.toContain('<failure');
  });

  it('fails (exit 1) a case whose expectation the policies do not meet, naming what differed, in the report too', async () => {
    const dir = await suiteCopy((s) => {
      const weekend = s.cases.find((c) => String(c.name).includes('weekends'));
      if (weekend) weekend.expect = { verdict: 'allow', determining: ['prod-deploy'] };
    });
    const junit = join(dir, 'out.xml');
    const { code, output } = await run(policyTestCommand, {
      policyDir: dir,
      suite: join(dir, 'tests'),
      junit,
    });
    expect(code).toBe(1);
    expect(output).toContain('13 passed, 1 failed');
    expect(output).toContain('✖ sample-policies.json: no production deploys at weekends, even from main');
    expect(output).toContain('verdict: expected allow, got deny');
    expect(output).toContain('determining: expected [prod-deploy], got [no-weekend-prod]');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*tests="14" failures="1"/);
    expect(xml).toContain('<failure message="verdict: expected allow, got deny"');
  });

  it('catches a policy change that breaks the rules the suite holds (the weekend forbid removed)', async () => {
    const dir = await suiteCopy(() => {});
    const deploy = join(dir, 'deploy.cedar');
    const text = await readFile(deploy, 'utf8');
    await writeFile(deploy, text.slice(0, text.indexOf('@id("no-weekend-prod")')));
    const { code, output } = await run(policyTestCommand, { policyDir: dir, suite: join(dir, 'tests') });
    expect(code).toBe(1);
    expect(output).toContain('13 passed, 1 failed');
    expect(output).toContain('✖ sample-policies.json: no production deploys at weekends, even from main');
  });

  it('compares reasons, failed paths and approvers, not only verdicts', async () => {
    const dir = await suiteCopy((s) => {
      for (const c of s.cases) {
        const e = c.expect as Record<string, unknown>;
        if (String(c.name).includes('weekends')) e.failedPath = 'policy prod-deploy';
        if (String(c.name).includes('feature branch')) e.reason = 'a reason no policy gives';
        if (String(c.name).includes('release manager')) e.approvers = ['security'];
      }
    });
    const { code, output } = await run(policyTestCommand, { policyDir: dir, suite: join(dir, 'tests') });
    expect(code).toBe(1);
    expect(output).toContain('11 passed, 3 failed');
    expect(output).toContain('failedPath: expected "policy prod-deploy", got "policy no-weekend-prod"');
    expect(output).toContain('reason: none contains "a reason no policy gives"');
    expect(output).toContain('approvers: expected [security], got [release-managers]');
  });

  it('refuses a suite it cannot run as written (exit 2): a misspelt field, no expectation, a repeated name', async () => {
    const cases: Array<[string, (s: { cases: Array<Record<string, unknown>> }) => void, RegExp]> = [
      ['misspelt', (s) => Object.assign(s.cases[0] ?? {}, { verfied: {} }), /unknown field verfied/],
      ['no expect', (s) => delete s.cases[0]?.expect, /expect is required/],
      ['repeated', (s) => s.cases.push({ ...s.cases[0] }), /the name is used twice/],
      [
        'bad verdict',
        (s) => Object.assign(s.cases[0] ?? {}, { expect: { verdict: 'maybe' } }),
        /verdict must be/,
      ],
    ];
    for (const [label, edit, message] of cases) {
      const dir = await suiteCopy(edit);
      const { code, output } = await run(policyTestCommand, { policyDir: dir, suite: join(dir, 'tests') });
      expect(code, label).toBe(2);
      expect(output, label).toMatch(message);
    }
  });

  it('takes --request or --suite, not both, and --junit only with a suite; the one-request form still works', async () => {
    const request = join(EXAMPLES, 'requests', 'feature-branch-to-production.json');
    const both = await run(policyTestCommand, { policyDir: EXAMPLES, suite: SUITE, request });
    expect(both.code).toBe(2);
    expect(both.output).toContain('cannot be used with --request');
    const junitAlone = await run(policyTestCommand, { policyDir: EXAMPLES, request, junit: 'x.xml' });
    expect(junitAlone.code).toBe(2);
    const neither = await run(policyTestCommand, { policyDir: EXAMPLES });
    expect(neither.code).toBe(2);
    const one = await run(policyTestCommand, { policyDir: EXAMPLES, request });
    expect(one.code).toBe(1);
    expect(one.output).toContain('verdict:    DENY');
  });
});

describe('policy validate', () => {
  it('accepts examples/policies with no warning', async () => {
    const { code, output } = await run(policyValidateCommand, { policyDir: EXAMPLES });
    expect(code).toBe(0);
    expect(output).toMatch(/✔ .*: valid \(digest \S+, 7 policies, 0 warnings\)/);
  });

  it('fails with file and line on a policy the schema refuses, and warns of a forbid without @reason', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'bad.cedar'),
      '@id("typo")\npermit (principal, action, resource)\nwhen { principal.brnach == "main" };\n',
    );
    const bad = await run(policyValidateCommand, { policyDir: dir });
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/bad\.cedar:3/);
    const warn = await copyOfExamples();
    await writeFile(
      join(warn, 'quiet.cedar'),
      '@id("quiet-forbid")\nforbid (principal, action, resource == Environment::"staging");\n',
    );
    const quiet = await run(policyValidateCommand, { policyDir: warn });
    expect(quiet.code).toBe(0);
    expect(quiet.output).toMatch(/quiet\.cedar:1:1: forbid quiet-forbid has no @reason/);
  });
});

describe('policy format', () => {
  it('finds examples/policies formatted; --check names an unformatted file, exits 1 and writes nothing', async () => {
    expect((await run(policyFormatCommand, { policyDir: EXAMPLES, check: true })).code).toBe(0);
    const dir = await copyOfExamples();
    const messy =
      '@id("messy")   permit(principal,action==Action::"deploy",resource==Environment::"staging");\n';
    await writeFile(join(dir, 'messy.cedar'), messy);
    const check = await run(policyFormatCommand, { policyDir: dir, check: true });
    expect(check.code).toBe(1);
    expect(check.output).toContain(`✖ not formatted: ${join(dir, 'messy.cedar')}`);
    expect(await readFile(join(dir, 'messy.cedar'), 'utf8')).toBe(messy);
    const format = await run(policyFormatCommand, { policyDir: dir });
    expect(format.code).toBe(0);
    const formatted = await readFile(join(dir, 'messy.cedar'), 'utf8');
    expect(formatted).toContain('action == Action::"deploy"');
    expect((await run(policyFormatCommand, { policyDir: dir, check: true })).code).toBe(0);
  });

  it('refuses a file Cedar cannot parse, naming it, and writes no file at all', async () => {
    const dir = await copyOfExamples();
    await writeFile(join(dir, 'a-messy.cedar'), '@id("m") permit(principal,action,resource);\n');
    await writeFile(join(dir, 'z-broken.cedar'), '@id("b") permit (principal, action resource);\n');
    const { code, output } = await run(policyFormatCommand, { policyDir: dir });
    expect(code).toBe(2);
    expect(output).toContain('z-broken.cedar');
    expect(await readFile(join(dir, 'a-messy.cedar'), 'utf8')).toBe(
      '@id("m") permit(principal,action,resource);\n',
    );
  });
});
