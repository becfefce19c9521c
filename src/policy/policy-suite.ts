import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import type { Clock } from '../time.ts';
import { parseTestRequest } from './policy-test.ts';
import { type Expectation, expectation } from './suite-expectation.ts';
import type { PolicyInput } from './types.ts';

/**
 * A policy test suite: a directory of `*.json` files, each
 *
 *   { "suite"?: "name", "defaults"?: { …any case fields… },
 *     "cases": [ { "name": "main deploys to production on a weekday",
 *                  "verified": { "claims": {…}, "environment"?: {…}, "pipeline"?: {…}, "review"?: {…} },
 *                  "asked":    { "action", "environment", "pipeline"?, "credentials"? },
 *                  "now"?: "2030-05-01T12:00:00Z",
 *                  "expect": { "verdict": "allow" | "deny" | "pending",
 *                              "determining"?: ["prod-deploy"], "reason"?: "weekend",
 *                              "failedPath"?: "policy no-weekend-prod", "approvers"?: [...] } } ] }
 *
 * `verified` is what the service establishes (the token's claims, the environment and the
 * pipeline run Bitbucket confirms: test-request-facts.ts), `asked` what the request declares
 * (policy-test.ts's `request`). Each case is `defaults` deep-merged with the case (objects merge,
 * anything else replaces), so a suite states the common identity once.
 */
export interface SuiteCase {
  readonly file: string;
  readonly suite: string;
  readonly name: string;
  readonly input: PolicyInput;
  readonly expect: Expectation;
}

export async function readSuite(dir: string, clock: Clock): Promise<SuiteCase[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (cause) {
    throw new GateError('CONFIG_INVALID', `--suite ${dir}: cannot read the directory`, { cause });
  }
  if (names.length === 0) throw new GateError('CONFIG_INVALID', `--suite ${dir}: no *.json test files`);
  const problems: string[] = [];
  const cases: SuiteCase[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      cases.push(...parseSuiteFile(JSON.parse(await readFile(file, 'utf8')), file, clock));
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  // Every file's problems at once, as with options and policies.
  if (problems.length > 0) throw new GateError('CONFIG_INVALID', problems.join('\n'));
  return cases;
}

function parseSuiteFile(root: unknown, file: string, clock: Clock): SuiteCase[] {
  if (!isRecord(root) || !Array.isArray(root.cases) || root.cases.length === 0)
    throw new GateError('CONFIG_INVALID', `${file}: needs "cases": a non-empty array`);
  const defaults = root.defaults ?? {};
  const suite = typeof root.suite === 'string' ? root.suite : file;
  const seen = new Set<string>();
  return root.cases.map((raw: unknown, index) => {
    const merged = merge(defaults, raw);
    const name = isRecord(merged) && typeof merged.name === 'string' ? merged.name : '';
    const where = `${file}: case ${name === '' ? `#${index + 1}` : JSON.stringify(name)}`;
    if (!isRecord(merged) || name === '') throw new GateError('CONFIG_INVALID', `${where}: needs a "name"`);
    if (seen.has(name)) throw new GateError('CONFIG_INVALID', `${where}: the name is used twice`);
    // A misspelt key ("verfied") would silently test the defaults instead: refuse it.
    const unknown = Object.keys(merged).filter((k) => !CASE_KEYS.has(k));
    if (unknown.length > 0)
      throw new GateError('CONFIG_INVALID', `${where}: unknown field ${unknown.join(', ')}`);
    seen.add(name);
    const verified = isRecord(merged.verified) ? merged.verified : {};
    const request = {
      claims: verified.claims,
      facts: { environment: verified.environment, pipeline: verified.pipeline, review: verified.review },
      request: merged.asked,
      ...(merged.now === undefined ? {} : { now: merged.now }),
    };
    return {
      file,
      suite,
      name,
      input: parseTestRequest(request, where, clock),
      expect: expectation(merged.expect, where),
    };
  });
}

const CASE_KEYS = new Set(['name', 'description', 'verified', 'asked', 'now', 'expect']);

function merge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
  return out;
}
