import { addOptions } from '../../options/commander.ts';
import type { OptionSource } from '../../options/spec.ts';
import type { Register } from '../../program.ts';
import { POLICY_TEST_OPTIONS } from './policy-options.ts';

/** `policy test`: evaluate one request file against a policy directory. */
export const registerPolicy: Register = (program, io, exit) => {
  const test = program
    .command('policy')
    .description('work with a Cedar policy directory')
    .command('test')
    .description(
      'evaluate a request file against a policy directory and print the decision and the determining policies',
    );
  addOptions(test, POLICY_TEST_OPTIONS).action(async (flags: OptionSource['flags']) => {
    // Loaded on use: Cedar's wasm is needed by no other command.
    const { policyTestCommand } = await import('./policy-test-command.ts');
    exit(await policyTestCommand(flags, io));
  });
};
