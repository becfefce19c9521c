import { addCommand } from '../../options/commander.ts';
import type { Register } from '../../program.ts';
import { ONBOARD_OPTIONS } from './onboard-options.ts';

/** `onboard`: in both deployables, like `keys` (an operator may hold either). */
export const registerOnboard: Register = (program, io, exit) => {
  addCommand(
    program,
    'onboard',
    "print (or, with --apply, make through the admin REST API) the Pulsar grants a new repository's pipes and the service need",
    ONBOARD_OPTIONS,
    { io, exit, load: async () => (await import('./onboard-command.ts')).onboardCommand },
  );
};
