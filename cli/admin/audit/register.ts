import { commandFamily } from '../../options/commander.ts';
import {
  AUDIT_EXPORT_OPTIONS,
  AUDIT_PROVE_OPTIONS,
  AUDIT_SOURCE_OPTIONS,
  AUDIT_VERIFY_PROOF_OPTIONS,
} from './audit-options.ts';

/** `audit verify`, `export` and `prove` read a trail from a file, topic or bucket; `verify-proof` reads one proof. */
export const registerAudit = commandFamily('audit', "check and export the decision service's audit trail", [
  {
    name: 'verify',
    description:
      'check a trail (file, topic or bucket): signed genesis, chain, seqs, signed checkpoints that are RFC 9162 tree heads consistent with each other, nothing unsigned; a file also against a --witness; prints the first broken link',
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
  {
    name: 'prove',
    description:
      "print (JSON) the inclusion proof of a request's decision record under the newest signed tree head of a verified trail",
    options: AUDIT_PROVE_OPTIONS,
    argument: { name: 'request-id', key: 'requestId' },
    load: async () => (await import('./audit-proof-command.ts')).auditProveCommand,
  },
  {
    name: 'verify-proof',
    description: 'check an inclusion proof offline with the public keys alone (RFC 9162 §2.1.3.2)',
    options: AUDIT_VERIFY_PROOF_OPTIONS,
    argument: { name: 'proof.json', key: 'proof' },
    load: async () => (await import('./audit-proof-command.ts')).auditVerifyProofCommand,
  },
]);
