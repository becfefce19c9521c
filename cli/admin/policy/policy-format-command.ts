import { formatPolicyDir } from '../../../src/policy/policy-format.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { POLICY_FORMAT_OPTIONS } from './policy-options.ts';

/**
 * `policy format`: Cedar's own formatter (cedar-wasm formatPolicies) over every `*.cedar` file.
 * Rewrites the files that change; with `--check`, writes nothing, names them and exits 1.
 */
export async function policyFormatCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('policy format', 'policy', io.write, async () => {
    const options = mustRead(POLICY_FORMAT_OPTIONS, { flags, env: io.env }, [], 'policy format options');
    const changed = await formatPolicyDir(options.policyDir, { write: !options.check });
    for (const file of changed) io.write(`${options.check ? '✖ not formatted' : 'formatted'}: ${file}\n`);
    if (changed.length === 0) io.write(`✔ ${options.policyDir}: every policy file is formatted\n`);
    return options.check && changed.length > 0 ? EXIT.denied : EXIT.allowed;
  });
}
