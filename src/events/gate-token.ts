import { GateError } from '../errors.ts';
import type { AlgorithmKey } from '../jose/algorithms.ts';
import { encryptCompact } from '../jose/encrypt.ts';
import type { EncryptionKey } from '../jose/encryption-key.ts';
import { signCompact } from '../jose/sign.ts';

/**
 * Explicit typing (RFC 8725 §3.11) of the JWE that carries a gate token inside a decision
 * (`gateTokenJwe`); `cty: "JWT"` says the plaintext is a JWT (RFC 7519 §5.2, a nested JWT).
 */
export const GATE_TOKEN_TYP = 'application/pulsar-gate.gate-token+jwe';
/** The client id IAM registers for an OIDC provider used with AssumeRoleWithWebIdentity. */
export const GATE_TOKEN_AUDIENCE = 'sts.amazonaws.com';
/** A gate token lives at most this long (issue 14): it is exchanged at once, never stored. */
export const MAX_GATE_TOKEN_SECONDS = 300;
/** The largest gate token JWE a decision carries: a JWT of well under 2 KiB, base64url, plus a header. */
export const MAX_GATE_TOKEN_JWE_BYTES = 8 * 1024;

/** What the service verified about an allowed request: nothing here is the request's word. */
export interface GateTokenFacts {
  readonly issuer: string;
  /** The decision's id: the token's `jti`. */
  readonly decisionId: string;
  readonly repositoryUuid: string;
  readonly workspaceUuid: string;
  /** The environment's slug, as Bitbucket (or the operator's map) names it. */
  readonly environment: string;
  readonly action: string;
  /** Only where the pipeline run was looked up at Bitbucket. */
  readonly ref?: string | undefined;
  readonly commit?: string | undefined;
  /** Epoch seconds. */
  readonly issuedAt: number;
  readonly lifetimeSeconds: number;
}

/**
 * AWS IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity": a tag value is
 * one string of at most 256 of these characters. A value outside it would make STS refuse the
 * token after the allow, so the service refuses to sign it (fail closed, and said at once).
 */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** `{6f1c…}` → `6f1c…`: Bitbucket's braces are not allowed in a session tag value. */
export const withoutBraces = (uuid: string): string => uuid.replace(/^\{(.*)\}$/, '$1');

/** The gate token's `sub`: what a deploy role's trust policy pins (README, "Enforce the gate"). */
export const gateSubject = (repositoryUuid: string, environment: string): string =>
  `repo:${withoutBraces(repositoryUuid)}:env:${environment}`;

/** The gate token's claims set (RFC 7519 §4), from verified facts only. */
export function gateTokenClaims(facts: GateTokenFacts): Record<string, unknown> {
  if (facts.lifetimeSeconds < 1 || facts.lifetimeSeconds > MAX_GATE_TOKEN_SECONDS)
    throw new GateError('CONFIG_INVALID', `a gate token lives 1–${MAX_GATE_TOKEN_SECONDS} s`);
  const repository = withoutBraces(facts.repositoryUuid);
  const tags = { repository, environment: facts.environment, action: facts.action };
  for (const [name, value] of Object.entries(tags)) {
    if (!TAG_VALUE.test(value))
      throw new GateError('CONFIG_INVALID', `the ${name} cannot be an AWS session tag value`);
  }
  return {
    iss: facts.issuer,
    aud: GATE_TOKEN_AUDIENCE,
    sub: gateSubject(repository, facts.environment),
    iat: facts.issuedAt,
    nbf: facts.issuedAt,
    exp: facts.issuedAt + facts.lifetimeSeconds,
    jti: facts.decisionId,
    repository_uuid: repository,
    workspace_uuid: withoutBraces(facts.workspaceUuid),
    environment: facts.environment,
    action: facts.action,
    ...(facts.ref === undefined ? {} : { ref: facts.ref }),
    ...(facts.commit === undefined ? {} : { commit: facts.commit }),
    'https://aws.amazon.com/tags': {
      principal_tags: {
        repository: [repository],
        environment: [facts.environment],
        action: [facts.action],
      },
      transitive_tag_keys: ['repository', 'environment', 'action'],
    },
  };
}

/** Signs a gate token: a compact JWS (RFC 7515 §7.1) with header `{ alg, kid, typ: "JWT" }`. */
export function signGateToken(
  claims: Record<string, unknown>,
  key: AlgorithmKey & { readonly kid: string },
): Promise<string> {
  return signCompact({ kid: key.kid, typ: 'JWT' }, new TextEncoder().encode(JSON.stringify(claims)), key);
}

/**
 * The gate token encrypted to the run's own key (ECDH-ES+A256KW / A256GCM, src/jose): only
 * the run that asked can read it; the decision signs over the ciphertext, so it stays bound
 * to that decision.
 */
export function sealGateToken(token: string, runKey: EncryptionKey): Promise<string> {
  return encryptCompact({ typ: GATE_TOKEN_TYP, cty: 'JWT' }, new TextEncoder().encode(token), runKey);
}
