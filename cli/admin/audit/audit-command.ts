import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { collectEvidence } from '../../../src/audit/evidence.ts';
import { deploymentMarkdown, indexMarkdown } from '../../../src/audit/evidence-markdown.ts';
import { GateError, isGateError } from '../../../src/errors.ts';
import type { Io } from '../../io.ts';
import type { AuditSourceOptions } from './audit-flags.ts';
import { readVerifiedTrail } from './audit-source.ts';

/**
 * `pulsar-gate audit verify`: exit 0 when the trail holds, 1 with the first broken link when
 * it does not, 2 when the options or keys are unusable.
 */
export async function auditVerifyCommand(options: AuditSourceOptions, io: Io): Promise<number> {
  return run(io, async () => {
    const { verdict, origin } = await readVerifiedTrail(options, io.env);
    if (!verdict.ok) return brokenLink(io, origin, verdict.broken);
    const entries = verdict.trails.reduce((n, t) => n + t.entries, 0);
    io.write(
      `✔ audit trail ${origin}: ${entries} entries in ${verdict.trails.length} trail(s); every link, seq and checkpoint holds\n`,
    );
    for (const t of verdict.trails) {
      const tail = t.uncovered ? `; ${t.uncovered} records after the last checkpoint (not yet signed)` : '';
      io.write(
        `  trail ${t.trail}: seq 0–${t.entries - 1}, ${t.checkpoints} checkpoints, last at seq ${t.lastCheckpoint}${tail}\n`,
      );
    }
    return 0;
  });
}

/** `pulsar-gate audit export`: verifies, then writes one JSON + Markdown pair per deployment and an index. */
export async function auditExportCommand(
  options: AuditSourceOptions & { from: string; to: string; out: string },
  io: Io,
): Promise<number> {
  return run(io, async () => {
    const from = day(options.from, '--from', false);
    const to = day(options.to, '--to', true);
    const { verdict, origin } = await readVerifiedTrail(options, io.env);
    if (!verdict.ok) return brokenLink(io, origin, verdict.broken);
    const deployments = collectEvidence(verdict.decisions, verdict.trails, { from, to });
    await fs.mkdir(options.out, { recursive: true, mode: 0o700 });
    const files: string[] = [];
    for (const e of deployments) {
      const name = `${e.decidedAt.replace(/[:.]/g, '-')}-${e.requestId.replace(/[^\w-]/g, '')}`;
      await fs.writeFile(join(options.out, `${name}.json`), `${JSON.stringify(e, null, 2)}\n`);
      await fs.writeFile(join(options.out, `${name}.md`), deploymentMarkdown(e));
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
    return 0;
  });
}

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
  return 1;
}

/** A date (`2026-11-24`, a whole UTC day; `--to` includes it) or an RFC 3339 time. */
function day(text: string, flag: string, end: boolean): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const at = new Date(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at.getTime()))
    throw new GateError('CONFIG_INVALID', `${flag}: not a date or RFC 3339 time: ${text.slice(0, 40)}`);
  return dateOnly && end ? new Date(at.getTime() + 86_400_000) : at;
}

async function run(io: Io, task: () => Promise<number>): Promise<number> {
  try {
    return await task();
  } catch (error) {
    io.write(`✖ audit: ${error instanceof Error ? error.message : String(error)}\n`);
    return isGateError(error, 'CONFIG_INVALID') ||
      isGateError(error, 'KEYS_INVALID') ||
      isGateError(error, 'KEYS_UNAVAILABLE')
      ? 2
      : 1;
  }
}
