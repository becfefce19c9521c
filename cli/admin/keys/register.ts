import { addOptions } from '../../options/commander.ts';
import type { OptionSource } from '../../options/spec.ts';
import type { Register } from '../../program.ts';
import { KEYS_GENERATE_OPTIONS, KEYS_ROTATE_OPTIONS } from './keys-options.ts';

/** `keys generate` and `keys rotate`: in both deployables (an operator may run either). */
export const registerKeys: Register = (program, io, exit) => {
  const keys = program.command('keys').description('manage the decision service signing keys');
  const generate = keys
    .command('generate')
    .description(
      'write a new private signing key (mode 0600) and the public JWKS to give pipes as DECISION_KEYS',
    );
  addOptions(generate, KEYS_GENERATE_OPTIONS).action(async (flags: OptionSource['flags']) => {
    const { keysGenerateCommand } = await import('./keys-generate-command.ts');
    exit(await keysGenerateCommand(flags, io));
  });
  const rotate = keys
    .command('rotate')
    .description(
      'new signing key, announced on KEYS_TOPIC as the next key set (signed by the key in use) before it is used',
    );
  addOptions(rotate, KEYS_ROTATE_OPTIONS).action(async (flags: OptionSource['flags']) => {
    const { keysRotateCommand } = await import('./keys-rotate-command.ts');
    exit(await keysRotateCommand(flags, io));
  });
};
