import type { Register } from '../../program.ts';

/** `policy test`: evaluate one request file against a policy directory. */
export const registerPolicy: Register = (program, io, exit) => {
  program
    .command('policy')
    .description('work with a Cedar policy directory')
    .command('test')
    .description(
      'evaluate a request file against a policy directory and print the decision and the determining policies',
    )
    .requiredOption('--policy-dir <dir>', 'policies, schema.cedarschema and groups.json')
    .requiredOption('--request <file>', 'JSON: { claims, request, now? } (see examples/policies/requests/)')
    .action(async (options: { policyDir: string; request: string }) => {
      // Loaded on use: Cedar's wasm is needed by no other command.
      const { policyTestCommand } = await import('./policy-test-command.ts');
      exit(await policyTestCommand(options, io));
    });
};
