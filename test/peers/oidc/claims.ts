/**
 * Bitbucket Pipelines OIDC claim shapes, as a real step's token has them (P3, docs/security.md):
 * brace-wrapped UUIDs, `sub` = `{repositoryUuid}[:{deploymentEnvironmentUuid}]:{stepUuid}`,
 * integer `iat`/`exp`, and the claims in the same order Bitbucket emits them. Like Bitbucket's
 * tokens they carry no `nbf` and no `jti` (neither is in its discovery document's
 * claims_supported), so every verifier in the tests meets the tokens real steps present.
 */
import { randomUUID } from 'node:crypto';

export type BitbucketClaims = {
  iss: string;
  aud: string | string[];
  sub: string;
  workspaceUuid: string;
  repositoryUuid: string;
  pipelineUuid: string;
  stepUuid: string;
  deploymentEnvironmentUuid?: string;
  branchName: string;
  iat: number;
  exp: number;
};

export type ClaimName = keyof BitbucketClaims;

export type MintOptions = {
  repositoryUuid?: string;
  pipelineUuid?: string;
  stepUuid?: string;
  /** `null` mints a non-deployment step: no claim, and `sub` is `{repo}:{step}`. */
  deploymentEnvironmentUuid?: string | null;
  /**
   * The deployment environment by name, as Bitbucket knows it (default `production`); `null`:
   * a step without one. Ignored when deploymentEnvironmentUuid is given.
   */
  environment?: string | null;
  /** A tag pipeline's token: no branchName, and Bitbucket's run is for this tag. */
  tag?: string;
  branchName?: string;
  workspaceUuid?: string;
  /**
   * The step's `oidc: audiences:` list: `aud` becomes an array of the workspace's default
   * audience followed by these. Without it `aud` is the default audience, a string.
   */
  audiences?: readonly string[];
  /** Replaces `aud` outright (a token meant for someone else). */
  aud?: string | string[];
  iss?: string;
  sub?: string;
  /** Default 3600. Negative mints a token that has already expired. */
  expiresInSeconds?: number;
  /** Seconds since the epoch, or a Date. Default: now (or one hour before `exp` when already expired). */
  issuedAt?: number | Date;
  /** Leave claims out, to test that a verifier requires them. */
  omit?: readonly ClaimName[];
  /** Attacks: sign with a key the JWKS does not list, keeping the current kid or using a fresh one. */
  signWith?: 'unknown-key' | 'unknown-key-same-kid';
  /** Attacks: an unsecured JWT, or HS256 keyed with the public key's SPKI PEM (algorithm confusion). */
  alg?: 'none' | 'HS256';
  /**
   * Sign exactly this payload instead of a Bitbucket step's claims (a token of another shape,
   * e.g. a gate token: test/peers/oidc/gate-claims.ts). Every other option but the attacks is ignored.
   */
  claims?: Readonly<Record<string, unknown>>;
};

/** A fresh brace-wrapped UUID, the way Bitbucket prints every identifier. */
export function braceUuid(): string {
  return `{${randomUUID()}}`;
}

export function withBraces(uuid: string): string {
  const bare = uuid.replace(/^\{|\}$/g, '');
  return `{${bare}}`;
}

export function withoutBraces(uuid: string): string {
  return uuid.replace(/^\{|\}$/g, '');
}

export type IssuerIdentity = {
  url: string;
  audience: string;
  workspaceUuid: string;
  repositoryUuid: string;
  pipelineUuid: string;
  deploymentEnvironmentUuid: string;
};

function audience(workspaceDefault: string, custom: readonly string[] | undefined): string | string[] {
  return custom === undefined ? workspaceDefault : [workspaceDefault, ...custom];
}

export function buildClaims(
  identity: IssuerIdentity,
  options: MintOptions,
  nowSeconds: number,
): Partial<BitbucketClaims> {
  const repositoryUuid = options.repositoryUuid ?? identity.repositoryUuid;
  const stepUuid = options.stepUuid ?? braceUuid();
  const env =
    options.deploymentEnvironmentUuid === null
      ? undefined
      : (options.deploymentEnvironmentUuid ?? identity.deploymentEnvironmentUuid);
  const lifetime = options.expiresInSeconds ?? 3600;
  const issuedAt = options.issuedAt instanceof Date ? options.issuedAt.getTime() / 1000 : options.issuedAt;
  // An expired token still looks like a normal one-hour token that lapsed.
  const iat = Math.floor(issuedAt ?? (lifetime < 0 ? nowSeconds + lifetime - 3600 : nowSeconds));
  const exp = lifetime < 0 && issuedAt === undefined ? nowSeconds + lifetime : iat + lifetime;
  const claims: Partial<BitbucketClaims> = {
    iss: options.iss ?? identity.url,
    aud: options.aud ?? audience(identity.audience, options.audiences),
    sub: options.sub ?? [repositoryUuid, env, stepUuid].filter((part) => part !== undefined).join(':'),
    workspaceUuid: options.workspaceUuid ?? identity.workspaceUuid,
    repositoryUuid,
    pipelineUuid: options.pipelineUuid ?? identity.pipelineUuid,
    stepUuid,
    ...(env === undefined ? {} : { deploymentEnvironmentUuid: env }),
    branchName: options.branchName ?? 'main',
    iat,
    exp: Math.floor(exp),
  };
  for (const name of options.omit ?? []) delete claims[name];
  return claims;
}
