import type { Command } from 'commander';
import type { Io } from '../../io.ts';
import { addCommand, addOptions } from '../../options/commander.ts';
import type { OptionSource } from '../../options/spec.ts';
import type { Exit, Register } from '../../program.ts';
import { ACT_OPTIONS, APPROVER_OPTIONS } from './approvals-options.ts';

/**
 * The approvers' commands (issue 16): `approvals list`, `approve <request-id> [--comment …]`
 * and `reject <request-id> --comment …`, signing in with the device flow.
 */
export const registerApprovals: Register = (program, io, exit) => {
  const family = program.command('approvals').description('requests waiting for approval');
  addCommand(
    family,
    'list',
    'list the requests waiting for approval, with their verified facts',
    APPROVER_OPTIONS,
    {
      io,
      exit,
      load: async () => (await import('./approvals-command.ts')).listCommand,
    },
  );
  act(program, 'approve', 'approve a pending request as yourself', io, exit);
  act(
    program,
    'reject',
    'reject a pending request (ends its wait with a deny naming you and your comment)',
    io,
    exit,
  );
};

function act(program: Command, kind: 'approve' | 'reject', description: string, io: Io, exit: Exit): void {
  const command = program.command(`${kind} <request-id>`).description(description);
  addOptions(command, ACT_OPTIONS).action(async (requestId: string, flags: OptionSource['flags']) => {
    const { actCommand } = await import('./approvals-command.ts');
    exit(await actCommand(kind)(requestId, flags, io));
  });
}
