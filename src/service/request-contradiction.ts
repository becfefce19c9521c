import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { RequestEvent } from '../events/request.ts';

/**
 * The request must describe the same pipeline as its verified token: a repository, step or
 * deployment environment it names that the token does not prove is a contradiction, said in
 * one sentence. What the request leaves out is not a contradiction (the token decides).
 */
export function contradiction(event: RequestEvent, claims: VerifiedStep): string | undefined {
  const p = event.data.pipeline;
  if (p.repositoryUuid && p.repositoryUuid !== claims.repositoryUuid)
    return 'the request names another repository than its token';
  if (p.stepUuid && p.stepUuid !== claims.stepUuid) return 'the request names another step than its token';
  if (p.deploymentEnvironmentUuid && p.deploymentEnvironmentUuid !== claims.deploymentEnvironmentUuid) {
    return 'the request names another deployment environment than its token';
  }
  return undefined;
}
