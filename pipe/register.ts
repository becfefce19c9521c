import { Option } from 'commander';
import type { Io } from '../cli/io.ts';
import { camel, type Register } from '../cli/program.ts';
import { requestCommand } from './request-command.ts';
import { type RawVariables, VARIABLES } from './variables.ts';

/**
 * `request`, the pipe's command. Pipe variables are environment variables; every one has a
 * flag of the same meaning (`--topic` ↔ TOPIC), flags win, so the same command works outside
 * Bitbucket. Validation happens once, in pipe/config.ts, so all problems are reported together.
 */
export const registerRequest: Register = (program, io, exit) => {
  const request = program
    .command('request', { isDefault: true })
    .description(
      'exchange the step OIDC token for AWS credentials, ask for a decision, and write the credentials on allow',
    );
  for (const variable of VARIABLES) {
    const takesValue = variable.name === 'DEBUG' ? '[bool]' : '<value>';
    const extra = 'defaultText' in variable ? ` (default: ${variable.defaultText})` : '';
    const required = 'required' in variable && variable.required ? ' (required)' : '';
    request.addOption(
      new Option(
        `${variable.flag} ${takesValue}`,
        `${variable.accepts}${required}${extra} [env: ${variable.name}]`,
      ),
    );
  }
  request.action(async (options: Record<string, string | boolean | undefined>) => {
    exit(await requestCommand(rawVariables(options, io), io));
  });
};

/** CLI flags over environment variables, as raw strings. */
function rawVariables(options: Record<string, string | boolean | undefined>, io: Io): RawVariables {
  const raw: RawVariables = {};
  for (const variable of VARIABLES) {
    const flag = options[camel(variable.flag)];
    const value = flag === true ? 'true' : typeof flag === 'string' ? flag : io.env[variable.name];
    if (value !== undefined) raw[variable.name] = value;
  }
  return raw;
}
