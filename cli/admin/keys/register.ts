import { addCommand } from '../../options/commander.ts';
import type { Register } from '../../program.ts';
import { KEYS_GENERATE_OPTIONS, KEYS_ROTATE_OPTIONS } from './keys-options.ts';

/** `keys generate` and `keys rotate`: in both deployables (an operator may run either). */
export const registerKeys: Register = (program, io, exit) => {
  const keys = program.command('keys').description('manage the decision service signing keys');
  addCommand(
    keys,
    'generate',
    'write a new private signing key (mode 0600) and the public JWKS to give pipes as DECISION_KEYS',
    KEYS_GENERATE_OPTIONS,
    { io, exit, load: async () => (await import('./keys-generate-command.ts')).keysGenerateCommand },
  );
  addCommand(
    keys,
    'rotate',
    'new signing key, announced on KEYS_TOPIC as the next key set (signed by the key in use) before it is used',
    KEYS_ROTATE_OPTIONS,
    { io, exit, load: async () => (await import('./keys-rotate-command.ts')).keysRotateCommand },
  );
};
