import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { collectEvidence } from '../../../src/audit/evidence.ts';
import { deploymentMarkdown, indexMarkdown } from '../../../src/audit/evidence-markdown.ts';
import type { TrailVerdict } from '../../../src/audit/verify-trail.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource, Values } from '../../options/spec.ts';
import { endThroughTable, outcomeOf } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { AUDIT_EXPORT_OPTIONS, AUDIT_SOURCE_OPTIONS, AUDIT_SOURCE_RULES } from './audit-options.ts';
import { readVerifiedTrail, type VerifiedTrail } from './audit-source.ts';

/**
 * `pulsar-gate-service audit verify`: exit 0 when every trail starts with a signed genesis and
 * every record is under a signed checkpoint, 1 (AUDIT_INVALID) with the first broken link
 * otherwise, 4 (AUDIT_UNSIGNED_TAIL) when only `--allow-unsigned-tail` let records after the
 * last checkpoint through, 2 when the options or keys are unusable.
 */
export async function auditVerifyCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return onIntactTrail(
    'audit verify',
    AUDIT_SOURCE_OPTIONS,
    flags,
    io,
    async (_, verdict, origin, witnessed) => {
      const entries = verdict.trails.reduce((n, t) => n + t.entries, 0);
      io.write(
        `${unsignedTail(verdict) ? '⚠' : '✔'} audit trail ${origin}: ${entries} entries in ${verdict.trails.length} trail(s); each opened by a signed genesis, every link, seq and checkpoint holds, every checkpoint a tree head consistent with the one before\n`,
      );
      for (const t of verdict.trails) {
        const tail = t.uncovered
          ? `; ${t.uncovered} records after it NOT SIGNED (seq ${t.lastCheckpoint + 1}–${t.entries - 1})`
          : '';
        io.write(
          `  trail ${t.trail}: seq 0–${t.entries - 1}, ${t.checkpoints} checkpoints, last at seq ${t.lastCheckpoint}${tail}\n`,
        );
      }
      for (const h of witnessed?.heads ?? [])
        io.write(
          `  witness ${witnessed?.origin}: trail ${h.trail} holds the signed head at seq ${h.seq} (${h.at})\n`,
        );
      return endOfVerified(io, verdict);
    },
  );
}

const unsignedTail = (verdict: Extract<TrailVerdict, { ok: true }>): boolean =>
  verdict.trails.some((t) => t.uncovered > 0);

/** Exit 0 for a wholly signed trail; AUDIT_UNSIGNED_TAIL's code, with its hint, when a tail was let through. */
function endOfVerified(io: Io, verdict: Extract<TrailVerdict, { ok: true }>): number {
  if (!unsignedTail(verdict)) return EXIT.allowed;
  const outcome = outcomeOf('AUDIT_UNSIGNED_TAIL', 'audit');
  io.write(`  hint: ${outcome.hint}\n`);
  return outcome.exit;
}

/** `pulsar-gate-service audit export`: verifies, then writes one JSON + Markdown pair per deployment and an index. */
export async function auditExportCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return onIntactTrail('audit export', AUDIT_EXPORT_OPTIONS, flags, io, async (options, verdict, origin) => {
    const { from, to } = options;
    const deployments = collectEvidence(verdict.decisions, verdict.trails, { from, to }, verdict.trees);
    await fs.mkdir(options.out, { recursive: true, mode: 0o700 });
    const files: string[] = [];
    for (const e of deployments) {
      const name = `${e.decidedAt.replace(/[:.]/g, '-')}-${e.requestId.replace(/[^\w-]/g, '')}`;
      await fs.writeFile(join(options.out, `${name}.json`), `${JSON.stringify(e, null, 2)}\n`);
      await fs.writeFile(join(options.out, `${name}.md`), deploymentMarkdown(e));
      // The proof alone too, as `audit verify-proof` reads it.
      if (e.proof)
        await fs.writeFile(join(options.out, `${name}.proof.json`), `${JSON.stringify(e.proof, null, 2)}\n`);
      files.push(`${name}.md`);
    }
    const bundle = {
      source: origin,
      from: from.toISOString(),
      to: to.toISOString(),
      trails: verdict.trails,
      deployments,
    };
    await fs.writeFile(join(options.out, 'evidence.json'), `${JSON.stringify(bundle, null, 2)}\n`);
    await fs.writeFile(
      join(options.out, 'index.md'),
      indexMarkdown({ origin, from, to, trails: verdict.trails, deployments, files }),
    );
    io.write(
      `✔ ${deployments.length} deployments from a verified trail (${origin}) written to ${options.out}\n`,
    );
    return endOfVerified(io, verdict);
  });
}

/**
 * Reads a command's options, reads and verifies the trail they name, and hands an intact
 * trail to `then`; a broken one ends the command with its first broken link.
 */
export async function onIntactTrail<S extends typeof AUDIT_SOURCE_OPTIONS>(
  command: string,
  table: S,
  flags: OptionSource['flags'],
  io: Io,
  then: (
    options: Values<S>,
    verdict: Extract<TrailVerdict, { ok: true }>,
    origin: string,
    witnessed: VerifiedTrail['witnessed'],
  ) => Promise<number>,
): Promise<number> {
  return endThroughTable(command, 'audit', io.write, async () => {
    const options = mustRead(table, { flags, env: io.env }, AUDIT_SOURCE_RULES, 'audit options');
    const { verdict, origin, witnessed } = await readVerifiedTrail(options);
    return verdict.ok ? then(options, verdict, origin, witnessed) : brokenLink(io, origin, verdict.broken);
  });
}

/** A broken trail is a finding, not a failure to run: AUDIT_INVALID's exit code, from the table. */
function brokenLink(
  io: Io,
  origin: string,
  b: { trail: string | undefined; position: number; seq: number | undefined; reason: string },
): number {
  const where = [
    b.trail && `trail ${b.trail}`,
    b.seq !== undefined && `seq ${b.seq}`,
    b.position && `entry #${b.position} of the source`,
  ]
    .filter(Boolean)
    .join(', ');
  io.write(`✖ audit trail ${origin} is broken at ${where}: ${b.reason}\n`);
  return outcomeOf('AUDIT_INVALID', 'audit').exit;
}
