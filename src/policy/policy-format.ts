import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GateError } from '../errors.ts';
import { describeCedarError, formatPolicies, whereIn } from './cedar.ts';
import { readPolicyDir } from './policy-dir.ts';

/**
 * Cedar's formatter (cedar-wasm `formatPolicies`, the same as `cedar format`) over every
 * `*.cedar` file of a policy directory. Returns the files whose text would change (and, with
 * `write`, rewrites them). A file Cedar cannot parse is CONFIG_INVALID naming file and line:
 * nothing is written then, not even the files that did format.
 */
export async function formatPolicyDir(dir: string, options: { write: boolean }): Promise<string[]> {
  const files = await readPolicyDir(dir);
  const problems: string[] = [];
  const changed: Array<{ name: string; text: string }> = [];
  for (const file of files.policies) {
    const answer = formatPolicies({ policyText: file.text, lineWidth: 100, indentWidth: 2 });
    if (answer.type === 'failure') {
      problems.push(...answer.errors.map((e) => describeCedarError(e, whereIn(file, e))));
      continue;
    }
    const text = `${answer.formatted_policy.trimEnd()}\n`;
    if (text !== file.text) changed.push({ name: file.name, text });
  }
  if (problems.length > 0) throw new GateError('CONFIG_INVALID', problems.join('\n'));
  if (options.write) for (const c of changed) await writeFile(join(dir, c.name), c.text);
  return changed.map((c) => join(dir, c.name));
}
