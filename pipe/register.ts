import { addOptions } from '../cli/options/commander.ts';
import type { OptionSource } from '../cli/options/spec.ts';
import type { Register } from '../cli/program.ts';
import { requestCommand } from './request-command.ts';
import { VARIABLES } from './variables.ts';

/**
 * `request`, the pipe's command. Pipe variables are environment variables; every one has a
 * flag of the same meaning (`--topic` ↔ TOPIC), flags win, so the same command works outside
 * Bitbucket. Options are read once, in pipe/config.ts, so all problems are reported together.
 */
export const registerRequest: Register = (program, io, exit) => {
  const request = program
    .command('request', { isDefault: true })
    .description(
      'exchange the step OIDC token for AWS credentials, ask for a decision, and write the credentials on allow',
    );
  addOptions(request, VARIABLES).action(async (flags: OptionSource['flags']) => {
    exit(await requestCommand(flags, io));
  });
};
