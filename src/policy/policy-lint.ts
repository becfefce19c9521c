import { locate } from './cedar.ts';
import { readPolicyDir } from './policy-dir.ts';
import { parsePolicyFile } from './policy-file.ts';

/**
 * What `policy validate` adds to loading: a forbid without `@reason` is valid, but a step it
 * denies is only told "forbidden by policy <id>" (README, Policies). A warning, never an error.
 */
export async function forbidsWithoutReason(dir: string): Promise<string[]> {
  const files = await readPolicyDir(dir);
  return files.policies.flatMap((file) =>
    parsePolicyFile(file)
      .entries.filter((e) => e.est.effect === 'forbid' && e.annotations.reason === undefined)
      .map(
        (e) => `${locate(file, e.base)}: forbid ${e.id} has no @reason; a step it denies only sees its id`,
      ),
  );
}
