import { Option } from 'commander';
import { camel, type Register } from '../program.ts';
import { SERVE_OPTIONS } from './serve-options.ts';

/** `serve`: the decision service. Flags win over the environment variables of the same meaning. */
export const registerServe: Register = (program, io, exit) => {
  const serve = program
    .command('serve')
    .description(
      'the decision service: verify requests, decide with Cedar policies, publish signed decisions',
    );
  for (const [flags, env, description] of SERVE_OPTIONS)
    serve.addOption(new Option(flags, `${description} [env: ${env}]`));
  serve.action(async (options: Record<string, string | boolean | undefined>) => {
    const raw: Record<string, string | undefined> = {};
    for (const [flags, env] of SERVE_OPTIONS) {
      const value = options[camel(flags.split(' ')[0] ?? '')];
      raw[env] = value === true ? 'true' : typeof value === 'string' ? value : io.env[env];
    }
    const { serveCommand } = await import('./serve-command.ts');
    exit(await serveCommand(raw, io, process));
  });
};
