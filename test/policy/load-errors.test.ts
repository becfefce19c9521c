import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { schemaToJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { loadPolicySet } from '../../src/policy/load-policy-set.ts';
import { copyOfExamples, policyInput } from './fixtures.ts';

/** The CONFIG_INVALID message lines after the heading, or a failure if loading succeeded. */
async function loadProblems(dir: string): Promise<string[]> {
  const error = await loadPolicySet(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isGateError(error, 'CONFIG_INVALID')) throw new Error(`expected CONFIG_INVALID, got ${String(error)}`);
  const [heading, ...lines] = error.message.split('\n');
  expect(heading).toBe(`policy set ${dir} is invalid:`);
  return lines;
}

describe('loading stops on a bad policy set, naming file:line:col and Cedar’s message', () => {
  it('a syntax error', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'broken.cedar'),
      '// a policy someone did not finish\n@id("broken")\npermit (principal, action == Action::"deploy", resource)\nwhen { context.branch == };\n',
    );
    const [problem, ...more] = await loadProblems(dir);
    expect(more).toEqual([]);
    expect(problem).toMatch(
      /^broken\.cedar:4:26: unexpected token `}` \(expected .*string literal, or `true`\)$/,
    );
  });

  it('policies that fail strict schema validation: one line per problem, in file order', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'typo.cedar'),
      [
        '@id("fine")',
        'permit (principal, action == Action::"deploy", resource == Environment::"dev");',
        '',
        '@id("typo")',
        'permit (principal, action == Action::"deploy", resource)',
        // Non-ASCII before the error: Cedar counts bytes, the message must count characters.
        'when { "ünïcode" != "x" && principal.brnch == "main" };',
        '',
        'permit (principal, action == Action::"artifact-delivery", resource)',
        'when { context.asked.tag like "v*" };',
        '',
      ].join('\n'),
    );
    expect(await loadProblems(dir)).toEqual([
      'typo.cedar:6:28: for policy `typo`, attribute `brnch` on entity type `Repository` not found; hint: did you mean `branch`?',
      'typo.cedar:9:8: for policy `typo.cedar:2`, unable to guarantee safety of access to optional attribute `asked.tag` in ' +
        'context for Action::"artifact-delivery"; hint:' +
        " try testing for the attribute's presence with `context.asked has tag && ..`",
    ]);
  });

  it('a schema that does not parse', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'schema.cedarschema'),
      'entity Group;\nentity Repository in [Group] {\n  branch: Strin g,\n};\n',
    );
    const [problem] = await loadProblems(dir);
    expect(problem).toMatch(
      /^schema\.cedarschema:3:17: failed to parse schema from string: .*unexpected token `g`/,
    );
  });

  it('a schema that does not describe what the engine sends', async () => {
    const dir = await copyOfExamples();
    const schema = await readFile(join(dir, 'schema.cedarschema'), 'utf8');
    await writeFile(
      join(dir, 'schema.cedarschema'),
      schema.replace(/^\s*sessionPolicyDigest\?: String,.*$/m, ''),
    );
    const problems = await loadProblems(dir);
    expect(problems[0]).toBe(
      'schema.cedarschema: does not describe the request the engine builds for deploy with every optional fact: ' +
        'while parsing context, record attribute `sessionPolicyDigest` should not exist according to the schema',
    );
    expect(problems).toHaveLength(4); // each action, once; requests without the optional fact still fit
  });

  it('duplicate ids, @approval on a forbid, and a missing schema', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'dup.cedar'),
      '@id("prod-deploy")\npermit (principal, action, resource);\n\n@approval("x")\nforbid (principal, action, resource);\n',
    );
    expect(await loadProblems(dir)).toEqual([
      'dup.cedar:4:1: @approval on a forbid policy means nothing; it belongs on a permit',
      'dup.cedar: policy id prod-deploy is already used in deploy.cedar',
    ]);
    await rm(join(dir, 'schema.cedarschema'));
    await expect(loadPolicySet(dir)).rejects.toThrow(
      /no schema\.cedarschema \(or schema\.cedarschema\.json\)/,
    );
  });

  it('@approvals: a count of 1-10 beside an @approval, nothing else', async () => {
    const dir = await copyOfExamples();
    await writeFile(
      join(dir, 'quorum.cedar'),
      [
        '@id("no-group")\n@approvals("2")\npermit (principal, action, resource);',
        '@id("zero")\n@approval("qa")\n@approvals("0")\npermit (principal, action, resource);',
        '@id("eleven")\n@approval("qa")\n@approvals("11")\npermit (principal, action, resource);',
        '@id("words")\n@approval("qa")\n@approvals("two")\npermit (principal, action, resource);',
        '@id("fine")\n@approval("qa")\n@approvals("10")\npermit (principal, action, resource);',
      ].join('\n'),
    );
    const problems = await loadProblems(dir);
    expect(problems.filter((p) => p.startsWith('quorum.cedar'))).toEqual([
      'quorum.cedar:1:1: @approvals counts approvers of an @approval; name the group with @approval("…")',
      'quorum.cedar:4:1: @approvals must be a whole number of distinct approvers from 1 to 10 (e.g. @approvals("2"))',
      'quorum.cedar:8:1: @approvals must be a whole number of distinct approvers from 1 to 10 (e.g. @approvals("2"))',
      'quorum.cedar:12:1: @approvals must be a whole number of distinct approvers from 1 to 10 (e.g. @approvals("2"))',
    ]);
  });

  it('accepts the JSON schema format in place of the human-readable one', async () => {
    const dir = await copyOfExamples();
    const json = schemaToJson(await readFile(join(dir, 'schema.cedarschema'), 'utf8'));
    if (json.type !== 'success') throw new Error('the sample schema must convert');
    await rm(join(dir, 'schema.cedarschema'));
    await writeFile(join(dir, 'schema.cedarschema.json'), JSON.stringify(json.json, null, 2));
    const engine = await loadPolicySet(dir);
    expect(engine.decide(policyInput({ branchName: 'main' })).verdict).toBe('allow');
    expect(engine.decide(policyInput({ branchName: 'feature/x' })).verdict).toBe('deny');
  });
});
