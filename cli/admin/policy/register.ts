import { addCommand } from '../../options/commander.ts';
import type { Register } from '../../program.ts';
import { POLICY_TEST_OPTIONS } from './policy-options.ts';

/** `policy test`: evaluate one request file against a policy directory. */
export const registerPolicy: Register = (program, io, exit) => {
  const policy = program.command('policy').description('work with a Cedar policy directory');
  addCommand(
    policy,
    'test',
    'evaluate a request file against a policy directory and print the decision and the determining policies',
    POLICY_TEST_OPTIONS,
    // Loaded on use: Cedar's wasm is needed by no other command.
    { io, exit, load: async () => (await import('./policy-test-command.ts')).policyTestCommand },
  );
};
