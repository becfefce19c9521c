import { loadPolicySet } from '../../../src/policy/load-policy-set.ts';
import { forbidsWithoutReason } from '../../../src/policy/policy-lint.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { POLICY_VALIDATE_OPTIONS } from './policy-options.ts';

/**
 * `policy validate`: everything `serve` checks when it loads a directory — Cedar syntax, strict
 * validation against the schema, the schema's fit with what the service sends, `@id`s,
 * `@approval` groups and `groups.json` links — without any request. Exit 0 when it loads
 * (warnings printed), 2 with every problem, file and line, when it does not.
 */
export async function policyValidateCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('policy validate', 'policy', io.write, async () => {
    const options = mustRead(POLICY_VALIDATE_OPTIONS, { flags, env: io.env }, [], 'policy validate options');
    const engine = await loadPolicySet(options.policyDir);
    const warnings = [...engine.warnings, ...(await forbidsWithoutReason(options.policyDir))];
    for (const w of warnings) io.write(`! ${w}\n`);
    io.write(
      `✔ ${options.policyDir}: valid (digest ${engine.digest}, ${engine.policyIds.length} policies, ${warnings.length} warning${warnings.length === 1 ? '' : 's'})\n`,
    );
    return EXIT.allowed;
  });
}
