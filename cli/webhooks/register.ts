import { addCommand } from '../options/commander.ts';
import type { Register } from '../program.ts';
import { WEBHOOKS_OPTIONS } from './webhooks-options.ts';

/** `webhooks`: Bitbucket Cloud webhooks into Pulsar topics, as CloudEvents. */
export const registerWebhooks: Register = (program, io, exit) => {
  addCommand(
    program,
    'webhooks',
    'receive Bitbucket Cloud webhooks, verify their signatures and store them on Pulsar topics as CloudEvents',
    WEBHOOKS_OPTIONS,
    {
      io,
      exit,
      load: async () => {
        const { webhooksCommand } = await import('./webhooks-command.ts');
        return (flags, commandIo) => webhooksCommand(flags, commandIo, process);
      },
    },
  );
};
