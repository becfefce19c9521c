import { addCommand } from '../options/commander.ts';
import type { Register } from '../program.ts';
import { SERVE_OPTIONS } from './serve-options.ts';

/** `serve`: the decision service. Flags win over the environment variables of the same meaning. */
export const registerServe: Register = (program, io, exit) => {
  addCommand(
    program,
    'serve',
    'the decision service: verify requests, decide with Cedar policies, publish signed decisions',
    SERVE_OPTIONS,
    {
      io,
      exit,
      load: async () => {
        const { serveCommand } = await import('./serve-command.ts');
        return (flags, commandIo) => serveCommand(flags, commandIo, process);
      },
    },
  );
};
