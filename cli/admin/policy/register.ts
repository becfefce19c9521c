import { commandFamily } from '../../options/commander.ts';
import { POLICY_FORMAT_OPTIONS, POLICY_TEST_OPTIONS, POLICY_VALIDATE_OPTIONS } from './policy-options.ts';

/** `policy test|validate|format` over a policy directory. Loaded on use: Cedar's wasm is needed by no other command. */
export const registerPolicy = commandFamily('policy', 'work with a Cedar policy directory', [
  {
    name: 'test',
    description:
      'evaluate a request file (--request) or a suite of test cases (--suite, --junit) against a policy directory',
    options: POLICY_TEST_OPTIONS,
    load: async () => (await import('./policy-test-command.ts')).policyTestCommand,
  },
  {
    name: 'validate',
    description:
      'check a policy directory as serve loads it (syntax, schema, annotations, groups), with no request',
    options: POLICY_VALIDATE_OPTIONS,
    load: async () => (await import('./policy-validate-command.ts')).policyValidateCommand,
  },
  {
    name: 'format',
    description:
      "format the *.cedar files with Cedar's formatter (--check: only report, exit 1 if any would change)",
    options: POLICY_FORMAT_OPTIONS,
    load: async () => (await import('./policy-format-command.ts')).policyFormatCommand,
  },
]);
