import { commandFamily } from '../../options/commander.ts';
import { AUDIT_EXPORT_OPTIONS, AUDIT_SOURCE_OPTIONS } from './audit-options.ts';

/** `audit verify` and `audit export`: read a trail from a file, topic or bucket. */
export const registerAudit = commandFamily('audit', "check and export the decision service's audit trail", [
  {
    name: 'verify',
    description:
      'check a trail (file, topic or bucket): signed genesis, chain, seqs, signed checkpoints, nothing unsigned; a file also against a --witness; prints the first broken link',
    options: AUDIT_SOURCE_OPTIONS,
    load: async () => (await import('./audit-command.ts')).auditVerifyCommand,
  },
  {
    name: 'export',
    description:
      'write an evidence bundle (JSON and Markdown) per deployment decided in [--from, --to], from a verified trail',
    options: AUDIT_EXPORT_OPTIONS,
    load: async () => (await import('./audit-command.ts')).auditExportCommand,
  },
]);
