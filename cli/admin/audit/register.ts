import { addCommand } from '../../options/commander.ts';
import type { Register } from '../../program.ts';
import { AUDIT_EXPORT_OPTIONS, AUDIT_SOURCE_OPTIONS } from './audit-options.ts';

/** `audit verify` and `audit export`: read a trail from a file, topic or bucket. */
export const registerAudit: Register = (program, io, exit) => {
  const audit = program.command('audit').description("check and export the decision service's audit trail");
  addCommand(
    audit,
    'verify',
    'check a trail (file, topic or bucket): chain, seqs and signed checkpoints; prints the first broken link',
    AUDIT_SOURCE_OPTIONS,
    { io, exit, load: async () => (await import('./audit-command.ts')).auditVerifyCommand },
  );
  addCommand(
    audit,
    'export',
    'write an evidence bundle (JSON and Markdown) per deployment decided in [--from, --to], from a verified trail',
    AUDIT_EXPORT_OPTIONS,
    { io, exit, load: async () => (await import('./audit-command.ts')).auditExportCommand },
  );
};
