import { addOptions } from '../../options/commander.ts';
import type { OptionSource } from '../../options/spec.ts';
import type { Register } from '../../program.ts';
import { AUDIT_EXPORT_OPTIONS, AUDIT_SOURCE_OPTIONS } from './audit-options.ts';

/** `audit verify` and `audit export`: read a trail from a file, topic or bucket. */
export const registerAudit: Register = (program, io, exit) => {
  const audit = program.command('audit').description("check and export the decision service's audit trail");
  const verify = audit
    .command('verify')
    .description(
      'check a trail (file, topic or bucket): chain, seqs and signed checkpoints; prints the first broken link',
    );
  addOptions(verify, AUDIT_SOURCE_OPTIONS).action(async (flags: OptionSource['flags']) => {
    const { auditVerifyCommand } = await import('./audit-command.ts');
    exit(await auditVerifyCommand(flags, io));
  });
  const exportCommand = audit
    .command('export')
    .description(
      'write an evidence bundle (JSON and Markdown) per deployment decided in [--from, --to], from a verified trail',
    );
  addOptions(exportCommand, AUDIT_EXPORT_OPTIONS).action(async (flags: OptionSource['flags']) => {
    const { auditExportCommand } = await import('./audit-command.ts');
    exit(await auditExportCommand(flags, io));
  });
};
