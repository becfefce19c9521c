import type { DeploymentEvidence } from './evidence.ts';
import type { TrailSummary } from './verify-trail.ts';

/** Text from a record inside Markdown: no table breaks, no code spans, no HTML. */
const md = (value: string | undefined): string =>
  (value ?? '—').replace(/[\r\n]+/g, ' ').replace(/[|`<>*_[\]\\]/g, (c) => `\\${c}`);

/**
 * The readable summary of one deployment's evidence. Verified rows come from the step token;
 * rows marked "asked" are what the request declared, and are shown as such.
 */
export function deploymentMarkdown(e: DeploymentEvidence): string {
  const { action, environment, pipeline: p, role } = e.asked;
  const v = e.verified;
  return [
    `# ${md(action)} to ${md(environment)} (asked): ${e.verdict.toUpperCase()}`,
    '',
    '| | |',
    '|---|---|',
    `| Request | ${md(e.requestId)} |`,
    `| Requested at | ${md(e.requestedAt)} |`,
    `| Decided at | ${md(e.decidedAt)} |`,
    `| Verified identity | ${v ? `${md(v.sub)} (issuer ${md(v.iss)})` : 'token did not verify'} |`,
    `| Verified repository | ${md(v?.repositoryUuid)} in workspace ${md(v?.workspaceUuid)} |`,
    `| Verified branch | ${md(v?.branchName)} |`,
    `| Verified pipeline / step | ${md(v?.pipelineUuid)} / ${md(v?.stepUuid)} |`,
    `| Verified deployment environment | ${environmentText(v)} |`,
    `| Verified pipeline run (Bitbucket) | ${runText(v)} |`,
    `| Asked: repository | ${md(p.repository)} in ${md(p.workspace)} |`,
    `| Asked: branch / tag | ${md(p.branch ?? p.tag)} |`,
    `| Asked: commit | ${md(p.commit)} |`,
    `| Asked: build | ${md(p.buildNumber)} |`,
    `| Asked: deployment environment | ${md(p.deploymentEnvironment)} |`,
    `| Asked: role | ${md(role.roleArn)} (session ${md(role.sessionName)}) |`,
    `| Policies | ${e.policy.ids.length ? e.policy.ids.map(md).join(', ') : '—'} |`,
    `| Policy version | ${md(e.policy.digest)} |`,
    `| Approvals | ${e.approvals.length ? `required from ${e.approvals.map(md).join(', ')}` : 'none required'} |`,
    ...(e.approvedBy.length ? [`| Approved by | ${e.approvedBy.map(actText).join('; ')} |`] : []),
    `| Reasons | ${e.reasons.length ? e.reasons.map(md).join('; ') : '—'} |`,
    ...(e.failedPath === null ? [] : [`| Failed at | ${md(e.failedPath)} |`]),
    `| Inclusion proof | ${proofText(e)} |`,
    `| Audit trail | ${md(e.trail.trail)} seq ${e.trail.seq}, digest ${md(e.trail.digest)}, ${e.trail.signedCheckpoint ? 'under a signed checkpoint' : 'after the last signed checkpoint'}${e.trail.replaced.length ? `; replaces seq ${e.trail.replaced.join(', ')}` : ''} |`,
    '',
  ].join('\n');
}

/** Where the record's proof is and what it proves: the leaf under one signed tree head. */
function proofText(e: DeploymentEvidence): string {
  if (!e.proof) return 'none yet: no signed tree head covers this record';
  const { index, treeSize, head } = e.proof;
  return `leaf ${index} under the tree head of size ${treeSize} signed at ${md(head.at)} (root ${md(head.root)}); in the .proof.json beside this file, for audit verify-proof`;
}

/** The environment the token proves, as Bitbucket named it when the decision was made. */
function environmentText(v: DeploymentEvidence['verified']): string {
  const env = v?.environment;
  if (!env) return md(v?.deploymentEnvironmentUuid);
  return `${md(env.name)} (${md(env.type)}, ${md(env.source)}) ${md(v?.deploymentEnvironmentUuid ?? '')}`.trim();
}

/** The pipeline run the token names, as Bitbucket ran it: ref, full commit, trigger, who ran it. */
function runText(v: DeploymentEvidence['verified']): string {
  const run = v?.pipeline;
  if (!run) return 'not looked up';
  const ref = run.ref === 'commit' ? 'a commit' : `${run.ref} ${md(run.branch ?? run.tag)}`;
  return `build ${run.build}, ${ref} at ${md(run.commit)}, ${md(run.trigger)} by ${md(run.triggeredBy)}`;
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
    'Trail verification: every hash link intact, no gap, every checkpoint signature valid, every checkpoint a signed tree head (RFC 9162) whose root and consistency proof hold. Each deployment carries the inclusion proof of its record.',
    '',
    ...input.trails.map(
      (t) =>
        `- trail ${md(t.trail)}: ${t.entries} entries, ${t.checkpoints} signed checkpoints (last at seq ${t.lastCheckpoint}), ${t.uncovered} records after it`,
    ),
    '',
    'Columns marked "asked" are what the request declared; "verified" comes from its step token and from Bitbucket.',
    '',
    '| Decided at | Action (asked) | Environment (verified) | Verdict | Repository (asked) | Ref (verified) | Commit (verified) | Repository (verified) | Policy version | Evidence |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  input.deployments.forEach((e, i) => {
    const { action, environment, pipeline: p } = e.asked;
    const env = e.verified?.environment;
    const run = e.verified?.pipeline;
    const verifiedEnvironment = env ? md(env.name) : `${md(environment)} (asked only)`;
    lines.push(
      `| ${md(e.decidedAt)} | ${md(action)} | ${verifiedEnvironment} | ${e.verdict} | ${md(p.repository)} | ${md(run?.branch ?? run?.tag ?? run?.ref)} | ${md(run?.commit.slice(0, 12))} | ${md(e.verified?.repositoryUuid)} | ${md(e.policy.digest.slice(0, 16))} | [${md(input.files[i])}](${encodeURI(input.files[i] ?? '')}) |`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** One person's act as the service verified them: name, subject, groups, when, why. */
function actText(a: DeploymentEvidence['approvedBy'][number]): string {
  const who = `${md(a.approver.name)} (${md(a.approver.sub)}; ${a.approver.groups.map(md).join(', ')})`;
  return `${a.kind === 'approve' ? 'approved' : 'rejected'} by ${who} at ${md(a.at)}${a.comment ? `: ${md(a.comment)}` : ''}`;
}
