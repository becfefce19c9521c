/**
 * The gate token's claims, as agreed for issue 14: what the decision service signs on allow
 * for the pipe to exchange at STS with AssumeRoleWithWebIdentity. Tests that play the gate
 * issuer mint these with a test issuer (`issuer.mint({ claims: gateClaims(…) })`), so the AWS
 * side (the STS peer, deploy/aws) is tested against the shape the service will sign.
 * UUIDs are without braces: AWS session tag values may not contain `{` or `}` (IAM User
 * Guide, "Passing session tags in AWS STS", tag character rules).
 */
import { randomUUID } from 'node:crypto';
import { withoutBraces } from './claims.ts';

export const STS_AUDIENCE = 'sts.amazonaws.com';
export const TAGS_CLAIM = 'https://aws.amazon.com/tags';

export type GateClaimOptions = {
  /** GATE_ISSUER, the `iss`. */
  issuer: string;
  repositoryUuid: string;
  workspaceUuid: string;
  /** The environment's slug, e.g. `production`. */
  environment: string;
  action?: string;
  ref?: string;
  commit?: string;
  /** Default 300 s, the most the agreement allows. */
  lifetimeSeconds?: number;
  /** Replaces the `sub` (an attack: a sub that disagrees with the tags). */
  sub?: string;
  /** Replaces the tags claim; `null` leaves it out. */
  tags?: unknown;
};

export function gateSubject(repositoryUuid: string, environment: string): string {
  return `repo:${withoutBraces(repositoryUuid)}:env:${environment}`;
}

export function gateClaims(options: GateClaimOptions): Record<string, unknown> {
  const repository = withoutBraces(options.repositoryUuid);
  const action = options.action ?? 'deploy';
  const iat = Math.floor(Date.now() / 1000);
  const tags = {
    principal_tags: { repository: [repository], environment: [options.environment], action: [action] },
    transitive_tag_keys: ['repository', 'environment', 'action'],
  };
  return {
    iss: options.issuer,
    aud: STS_AUDIENCE,
    sub: options.sub ?? gateSubject(repository, options.environment),
    iat,
    nbf: iat,
    exp: iat + (options.lifetimeSeconds ?? 300),
    // The decision id, in the service; any fresh id here.
    jti: randomUUID(),
    repository_uuid: repository,
    workspace_uuid: withoutBraces(options.workspaceUuid),
    environment: options.environment,
    action,
    ref: options.ref ?? 'refs/heads/main',
    commit: options.commit ?? 'a'.repeat(40),
    ...(options.tags === null ? {} : { [TAGS_CLAIM]: options.tags ?? tags }),
  };
}
