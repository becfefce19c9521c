import { readFile } from 'node:fs/promises';
import { proveInclusion, verifyInclusionProof } from '../../../src/audit/inclusion-proof.ts';
import { GateError } from '../../../src/errors.ts';
import { loadTrustedKeys } from '../../../src/keys/load-trusted-keys.ts';
import { printable } from '../../../src/lib/printable.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { onIntactTrail } from './audit-command.ts';
import { AUDIT_PROVE_OPTIONS, AUDIT_VERIFY_PROOF_OPTIONS } from './audit-options.ts';

/**
 * `pulsar-gate-service audit prove <request-id>`: verifies the trail, then prints (JSON, on
 * stdout) the inclusion proof of that request's published record under the newest signed
 * head; AUDIT_NOT_PROVEN when the trail holds no record of it under a head.
 */
export async function auditProveCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return onIntactTrail('audit prove', AUDIT_PROVE_OPTIONS, flags, io, async (options, verdict, origin) => {
    const id = options.requestId;
    // The last record of a request is the one published (earlier ones it replaced were not).
    const entry = verdict.decisions.findLast((d) => d.record.requestId === id);
    if (entry === undefined)
      throw new GateError('AUDIT_NOT_PROVEN', `${origin} holds no record of request ${printable(id)}`);
    const tree = verdict.trees.get(entry.trail);
    const proof = tree && proveInclusion(tree, entry);
    if (proof === undefined)
      throw new GateError(
        'AUDIT_NOT_PROVEN',
        `the record of request ${printable(id)} (trail ${entry.trail}, seq ${entry.seq}) is not under a signed head yet`,
      );
    io.write(`${JSON.stringify(proof, null, 2)}\n`);
    return EXIT.allowed;
  });
}

/**
 * `pulsar-gate-service audit verify-proof <proof.json> --keys …`: offline, with the public
 * keys alone. Exit 0 when the proof holds; AUDIT_PROOF_INVALID's exit code with the reason
 * when it does not.
 */
export async function auditVerifyProofCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('audit verify-proof', 'audit', io.write, async () => {
    const options = mustRead(AUDIT_VERIFY_PROOF_OPTIONS, { flags, env: io.env }, [], 'audit options');
    const keys = await loadTrustedKeys(options.keys);
    const text = await readFile(options.proof, 'utf8').catch((cause: unknown) => {
      throw new GateError('AUDIT_PROOF_INVALID', `cannot read ${options.proof}`, { cause });
    });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new GateError('AUDIT_PROOF_INVALID', `${options.proof} is not JSON`);
    }
    const verdict = await verifyInclusionProof(value, keys);
    if (!verdict.ok) throw new GateError('AUDIT_PROOF_INVALID', `${options.proof}: ${verdict.reason}`);
    const { leaf, head } = verdict.proof;
    io.write(
      `✔ ${options.proof}: the ${leaf.record.verdict} of request ${leaf.record.requestId} (decided ${leaf.record.decidedAt}) is leaf ${leaf.seq} of trail ${leaf.trail}, under the tree head of size ${head.size} signed at ${head.at} by a trusted key\n`,
    );
    return EXIT.allowed;
  });
}
