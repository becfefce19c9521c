import type { DeploymentEvidence } from './evidence.ts';
import type { TrailSummary } from './verify-trail.ts';

/** Text from a record inside Markdown: no table breaks, no code spans, no HTML. */
const md = (value: string | undefined): string =>
  (value ?? '—').replace(/[\r\n]+/g, ' ').replace(/[|`<>*_[\]\\]/g, (c) => `\\${c}`);

/** The readable summary of one deployment's evidence. */
export function deploymentMarkdown(e: DeploymentEvidence): string {
  const p = e.triggeredBy.pipeline;
  const id = e.triggeredBy.identity;
  return [
    `# ${md(e.action)} to ${md(e.environment)}: ${e.verdict.toUpperCase()}`,
    '',
    '| | |',
    '|---|---|',
    `| Request | ${md(e.requestId)} |`,
    `| Requested at | ${md(e.requestedAt)} |`,
    `| Decided at | ${md(e.decidedAt)} |`,
    `| Repository | ${md(p.repository)} (${md(id?.repositoryUuid ?? p.repositoryUuid)}) in ${md(p.workspace)} |`,
    `| Branch / tag | ${md(p.branch ?? p.tag)} |`,
    `| Commit | ${md(p.commit)} |`,
    `| Build / step | ${md(p.buildNumber)} / ${md(p.stepUuid)} |`,
    `| Verified identity | ${id ? md(id.sub) : 'token did not verify'} (issuer ${md(id?.iss)}) |`,
    `| Role | ${md(e.role?.roleArn)} (session ${md(e.role?.sessionName)}) |`,
    `| Policies | ${e.policy.ids.length ? e.policy.ids.map(md).join(', ') : '—'} |`,
    `| Policy version | ${md(e.policy.digest)} |`,
    `| Approvals | ${e.approvals.length ? `required from ${e.approvals.map(md).join(', ')}` : 'none required'} |`,
    `| Reasons | ${e.reasons.length ? e.reasons.map(md).join('; ') : '—'} |`,
    `| Audit trail | ${md(e.trail.trail)} seq ${e.trail.seq}, digest ${md(e.trail.digest)}, ${e.trail.signedCheckpoint ? 'under a signed checkpoint' : 'after the last signed checkpoint'}${e.trail.replaced.length ? `; replaces seq ${e.trail.replaced.join(', ')}` : ''} |`,
    '',
  ].join('\n');
}

/** The bundle's index: what was checked and one line per deployment. */
export function indexMarkdown(input: {
  origin: string;
  from: Date;
  to: Date;
  trails: readonly TrailSummary[];
  deployments: readonly DeploymentEvidence[];
  files: readonly string[];
}): string {
  const lines = [
    '# Deployment evidence',
    '',
    `Source: ${md(input.origin)}. Decisions from ${input.from.toISOString()} to ${input.to.toISOString()}.`,
    '',
    'Trail verification: every hash link intact, no gap, every checkpoint signature valid.',
    '',
    ...input.trails.map(
      (t) =>
        `- trail ${md(t.trail)}: ${t.entries} entries, ${t.checkpoints} signed checkpoints (last at seq ${t.lastCheckpoint}), ${t.uncovered} records after it`,
    ),
    '',
    '| Decided at | Action | Environment | Verdict | Repository | Branch | Commit | Policy version | Evidence |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  input.deployments.forEach((e, i) => {
    const p = e.triggeredBy.pipeline;
    lines.push(
      `| ${md(e.decidedAt)} | ${md(e.action)} | ${md(e.environment)} | ${e.verdict} | ${md(p.repository)} | ${md(p.branch ?? p.tag)} | ${md(p.commit?.slice(0, 12))} | ${md(e.policy.digest.slice(0, 16))} | [${md(input.files[i])}](${encodeURI(input.files[i] ?? '')}) |`,
    );
  });
  return `${lines.join('\n')}\n`;
}
