import { addOptions } from '../options/commander.ts';
import type { OptionSource } from '../options/spec.ts';
import type { Register } from '../program.ts';
import { SERVE_OPTIONS } from './serve-options.ts';

/** `serve`: the decision service. Flags win over the environment variables of the same meaning. */
export const registerServe: Register = (program, io, exit) => {
  const serve = program
    .command('serve')
    .description(
      'the decision service: verify requests, decide with Cedar policies, publish signed decisions',
    );
  addOptions(serve, SERVE_OPTIONS).action(async (flags: OptionSource['flags']) => {
    const { serveCommand } = await import('./serve-command.ts');
    exit(await serveCommand(flags, io, process));
  });
};
