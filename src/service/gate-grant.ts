import type { StepFacts } from '../bitbucket/facts.ts';
import type { DecisionFacts, VerifiedStep } from '../decision/decision-facts.ts';
import { GateError, isGateError } from '../errors.ts';
import {
  type GateTokenFacts,
  gateTokenClaims,
  MAX_GATE_TOKEN_SECONDS,
  sealGateToken,
  signGateToken,
} from '../events/gate-token.ts';
import { importReplyKey } from '../events/reply-key.ts';
import type { RequestEvent } from '../events/request.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';
import type { EncryptionKey } from '../jose/encryption-key.ts';
import type { NamedSigningKey } from '../jose/signing-key.ts';

/** The service as an OIDC issuer for AWS (issue 14): GATE_ISSUER and its current key. */
export interface GateIssuerPort {
  readonly issuer: string;
  /** The key that signs gate tokens now (swapped whole on SIGHUP after a rotation). */
  signingKey(): NamedSigningKey;
  /** Seconds a gate token lives, at most MAX_GATE_TOKEN_SECONDS. */
  readonly lifetimeSeconds: number;
}

/** What a token is about, all verified; its id and times are added when it is signed. */
type GrantFacts = Omit<GateTokenFacts, 'issuer' | 'decisionId' | 'issuedAt' | 'lifetimeSeconds'>;

/** A gate token the service can sign for this request, should the policy allow it. */
export interface GateGrant {
  readonly issuer: GateIssuerPort;
  /** The run's reply key, imported once. */
  readonly key: EncryptionKey;
  readonly facts: GrantFacts;
}

/** The run's reply key, when the request is in gate mode: undefined (step mode), a key, or why not. */
export type GateKey =
  | { readonly ok: true; readonly key?: EncryptionKey }
  | { readonly ok: false; readonly problem: string };

/**
 * Checked before anything is looked up: a gate-mode request (one that carries
 * `replyEncryptionKey`) to a service without GATE_ISSUER, or with a key that is not a P-256
 * point, gets a signed deny saying so (fail closed). The key, once imported, is kept.
 */
export async function gateKeyOf(event: RequestEvent, issuer: GateIssuerPort | undefined): Promise<GateKey> {
  const jwk = event.data.replyEncryptionKey;
  if (jwk === undefined) return { ok: true };
  if (issuer === undefined)
    return {
      ok: false,
      problem:
        'the pipe asked for a gate token (CREDENTIALS: gate) but this decision service is not a gate issuer (GATE_ISSUER is not set)',
    };
  try {
    return { ok: true, key: await importReplyKey({ ...jwk }) };
  } catch (error) {
    if (isGateError(error, 'KEYS_INVALID'))
      return { ok: false, problem: `the request's reply encryption key is refused: ${error.message}` };
    throw error;
  }
}

/**
 * Once the facts are established at Bitbucket: the grant an allow will sign, from what the
 * service verified — the token's repository and workspace, the environment, the pipeline it
 * looked up — never the request's word (the action is the one the policy is asked about), or
 * why no token can be made (a value AWS would refuse as a session tag), asked before the
 * policy so such a request gets a signed deny rather than an allow without its token.
 */
export function gateGrantFor(
  key: EncryptionKey,
  issuer: GateIssuerPort,
  step: { readonly event: RequestEvent; readonly claims: VerifiedStep; readonly facts: StepFacts },
): { readonly ok: true; readonly grant: GateGrant } | { readonly ok: false; readonly problem: string } {
  const { event, claims, facts } = step;
  const grant: GateGrant = {
    issuer,
    key,
    facts: {
      repositoryUuid: claims.repositoryUuid,
      workspaceUuid: claims.workspaceUuid,
      environment: facts.environment.slug,
      action: event.data.action,
      ref: facts.pipeline?.ref.name,
      commit: facts.pipeline?.commit,
    },
  };
  try {
    gateTokenClaims(tokenFacts(grant, 'check', 0));
    return { ok: true, grant };
  } catch (error) {
    if (isGateError(error))
      return { ok: false, problem: `no gate token can be made for this request: ${error.message}` };
    throw error;
  }
}

/** The gate token of an allow, signed now and encrypted to the run's key (docs/formats.md). */
export async function signGateGrant(grant: GateGrant, decisionId: string, now: number): Promise<string> {
  const claims = gateTokenClaims(tokenFacts(grant, decisionId, now));
  return sealGateToken(await signGateToken(claims, grant.issuer.signingKey()), grant.key);
}

/**
 * The gate token for an allow that people settled later (issue 16), from the pending
 * decision's verified identity — the same facts a grant holds at decision time, as the
 * decision facts keep them — encrypted to the waiting run's key; undefined in step mode.
 */
export async function grantGateTokenFor(input: {
  readonly replyKey: ReplyEncryptionKey | undefined;
  readonly facts: DecisionFacts;
  readonly decisionId: string;
  readonly now: number;
  readonly issuer: GateIssuerPort | undefined;
}): Promise<string | undefined> {
  const { replyKey, facts, issuer } = input;
  if (replyKey === undefined) return undefined;
  const verified = facts.verified;
  if (issuer === undefined || verified === null || verified.environment === undefined)
    throw new GateError(
      'CONFIG_INVALID',
      'an approved allow in gate mode needs GATE_ISSUER and verified facts',
    );
  const run = verified.pipeline;
  const grant: GateGrant = {
    issuer,
    key: await importReplyKey({ ...replyKey }),
    facts: {
      repositoryUuid: verified.repositoryUuid,
      workspaceUuid: verified.workspaceUuid,
      environment: verified.environment.slug,
      action: facts.asked.action,
      ref: run?.branch ?? run?.tag,
      commit: run?.commit,
    },
  };
  return signGateGrant(grant, input.decisionId, input.now);
}

function tokenFacts(grant: GateGrant, decisionId: string, now: number): GateTokenFacts {
  return {
    ...grant.facts,
    issuer: grant.issuer.issuer,
    decisionId,
    issuedAt: Math.floor(now / 1000),
    lifetimeSeconds: Math.min(grant.issuer.lifetimeSeconds, MAX_GATE_TOKEN_SECONDS),
  };
}
