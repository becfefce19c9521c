import type { Command } from 'commander';
import type { Register } from '../../program.ts';
import { AUDIT_SOURCE_FLAGS, type AuditSourceOptions } from './audit-flags.ts';

/** `audit verify` and `audit export`: read a trail from a file, topic or bucket. */
export const registerAudit: Register = (program, io, exit) => {
  const audit = program.command('audit').description("check and export the decision service's audit trail");
  const sourced = (command: Command): Command => {
    for (const [flags, description] of AUDIT_SOURCE_FLAGS) command.option(flags, description);
    return command;
  };
  sourced(
    audit
      .command('verify')
      .description(
        'check a trail (file, topic or bucket): chain, seqs and signed checkpoints; prints the first broken link',
      ),
  ).action(async (options: AuditSourceOptions) => {
    const { auditVerifyCommand } = await import('./audit-command.ts');
    exit(await auditVerifyCommand(options, io));
  });
  sourced(
    audit
      .command('export')
      .description(
        'write an evidence bundle (JSON and Markdown) per deployment decided in [--from, --to], from a verified trail',
      )
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD, UTC) or RFC 3339 time')
      .requiredOption('--to <date>', 'last day, included (YYYY-MM-DD, UTC) or RFC 3339 time, excluded')
      .requiredOption('--out <dir>', 'directory for the bundle'),
  ).action(async (options: AuditSourceOptions & { from: string; to: string; out: string }) => {
    const { auditExportCommand } = await import('./audit-command.ts');
    exit(await auditExportCommand(options, io));
  });
};
