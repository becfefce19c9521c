import { printable } from '../lib/printable.ts';
import type { VerifiedPipeline } from './facts.ts';

/**
 * Whether the token and the request agree with the pipeline Bitbucket ran. The token's own
 * `branchName` must be the run's branch (absent on tag and custom runs); a branch, tag or
 * commit the request declares must be the run's. The first disagreement is named with both
 * sides; undefined when all agree.
 */
export function pipelineProblem(
  run: VerifiedPipeline,
  token: { readonly branchName?: string },
  declared: { readonly branch?: string; readonly tag?: string; readonly commit?: string },
): { reason: string; failedPath: string } | undefined {
  const where = `Bitbucket ran pipeline ${printable(run.uuid)} for ${describe(run)}`;
  const branch = run.ref.type === 'branch' ? run.ref.name : undefined;
  const tag = run.ref.type === 'tag' ? run.ref.name : undefined;
  if ((token.branchName ?? undefined) !== branch)
    return {
      reason: `the step token's branchName is ${quoted(token.branchName)}, but ${where}`,
      failedPath: 'pipeline ref (step token vs Bitbucket)',
    };
  if (declared.branch !== undefined && declared.branch !== branch)
    return {
      reason: `the request declares branch ${quoted(declared.branch)}, but ${where}`,
      failedPath: 'pipeline branch',
    };
  if (declared.tag !== undefined && declared.tag !== tag)
    return {
      reason: `the request declares tag ${quoted(declared.tag)}, but ${where}`,
      failedPath: 'pipeline tag',
    };
  if (declared.commit !== undefined && declared.commit.toLowerCase() !== run.commit)
    return {
      reason: `the request declares commit ${quoted(declared.commit)}, but ${where}`,
      failedPath: 'pipeline commit',
    };
  return undefined;
}

function describe(run: VerifiedPipeline): string {
  const ref = run.ref.type === 'commit' ? 'a commit' : `${run.ref.type} "${printable(run.ref.name)}"`;
  return `${ref} at ${run.commit.slice(0, 12)}`;
}

function quoted(value: string | undefined): string {
  return value === undefined ? 'absent' : `"${printable(value)}"`;
}
