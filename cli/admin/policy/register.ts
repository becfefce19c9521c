import { commandFamily } from '../../options/commander.ts';
import { POLICY_TEST_OPTIONS } from './policy-options.ts';

/** `policy test`: evaluate one request file against a policy directory. */
export const registerPolicy = commandFamily('policy', 'work with a Cedar policy directory', [
  {
    name: 'test',
    description:
      'evaluate a request file against a policy directory and print the decision and the determining policies',
    options: POLICY_TEST_OPTIONS,
    // Loaded on use: Cedar's wasm is needed by no other command.
    load: async () => (await import('./policy-test-command.ts')).policyTestCommand,
  },
]);
