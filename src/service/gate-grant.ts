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
import type { NamedSigningKey } from '../jose/signing-key.ts';

/** The service as an OIDC issuer for AWS (issue 14): GATE_ISSUER and its current key. */
export interface GateIssuerPort {
  readonly issuer: string;
  /** The key that signs gate tokens now (swapped whole on SIGHUP after a rotation). */
  signingKey(): NamedSigningKey;
  /** Seconds a gate token lives, at most MAX_GATE_TOKEN_SECONDS. */
  readonly lifetimeSeconds: number;
}

/**
 * Why a gate-mode request (one that carries `replyEncryptionKey`) cannot be answered with a
 * gate token, checked before the policy is asked: a service without GATE_ISSUER, or a key
 * that is not a P-256 point. Fail closed — the request gets a signed deny saying so.
 */
export async function gateModeProblem(
  event: RequestEvent,
  issuer: GateIssuerPort | undefined,
): Promise<string | undefined> {
  const key = event.data.replyEncryptionKey;
  if (key === undefined) return undefined;
  if (issuer === undefined)
    return 'the pipe asked for a gate token (CREDENTIALS: gate) but this decision service is not a gate issuer (GATE_ISSUER is not set)';
  try {
    await importReplyKey({ ...key });
    return undefined;
  } catch (error) {
    if (isGateError(error, 'KEYS_INVALID'))
      return `the request's reply encryption key is refused: ${error.message}`;
    throw error;
  }
}

/**
 * The gate token for a verified allow, encrypted to the run's key, or undefined for a request
 * in step mode. Built from what the service verified — the token's repository and workspace,
 * the environment established at Bitbucket, the pipeline it looked up — never the request's
 * word (the action is the one the policy allowed). Throws when anything is missing: an allow
 * without its token would let the pipe wait for credentials that cannot come.
 */
export async function grantGateToken(input: GateTokenInput): Promise<string | undefined> {
  const replyKey = input.event.data.replyEncryptionKey;
  if (replyKey === undefined) return undefined;
  const issuer = input.issuer;
  if (issuer === undefined) throw new GateError('CONFIG_INVALID', 'an allow in gate mode needs GATE_ISSUER');
  const token = await signGateToken(gateTokenClaims(tokenFacts(input, issuer)), issuer.signingKey());
  return sealGateToken(token, await importReplyKey({ ...replyKey }));
}

/**
 * The gate token for an allow that people settled later (issue 16), from the pending
 * decision's verified identity — the same facts `grantGateToken` reads at decision time, as
 * the decision facts keep them — encrypted to the waiting run's key; undefined in step mode.
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
  const claims = gateTokenClaims({
    issuer: issuer.issuer,
    decisionId: input.decisionId,
    repositoryUuid: verified.repositoryUuid,
    workspaceUuid: verified.workspaceUuid,
    environment: verified.environment.slug,
    action: facts.asked.action,
    ref: run?.branch ?? run?.tag,
    commit: run?.commit,
    issuedAt: Math.floor(input.now / 1000),
    lifetimeSeconds: Math.min(issuer.lifetimeSeconds, MAX_GATE_TOKEN_SECONDS),
  });
  return sealGateToken(
    await signGateToken(claims, issuer.signingKey()),
    await importReplyKey({ ...replyKey }),
  );
}

/**
 * Why the verified facts cannot make a gate token (a value AWS would refuse as a session tag),
 * asked before the policy, so that such a request gets a signed deny rather than an allow the
 * service could not sign a token for.
 */
export function gateFactsProblem(input: Omit<GateTokenInput, 'decisionId'>): string | undefined {
  if (input.event.data.replyEncryptionKey === undefined || input.issuer === undefined) return undefined;
  try {
    gateTokenClaims(tokenFacts({ ...input, decisionId: 'check' }, input.issuer));
    return undefined;
  } catch (error) {
    if (isGateError(error)) return `no gate token can be made for this request: ${error.message}`;
    throw error;
  }
}

interface GateTokenInput {
  readonly event: RequestEvent;
  readonly claims: VerifiedStep | undefined;
  readonly facts: StepFacts | undefined;
  readonly decisionId: string;
  readonly now: number;
  readonly issuer: GateIssuerPort | undefined;
}

/**
 * What the token says, from what the service verified — the token's repository and workspace,
 * the environment established at Bitbucket, the pipeline it looked up — never the request's
 * word (the action is the one the policy is asked about and allowed).
 */
function tokenFacts(input: GateTokenInput, issuer: GateIssuerPort): GateTokenFacts {
  const { claims, facts } = input;
  if (claims === undefined || facts === undefined)
    throw new GateError('CONFIG_INVALID', 'a gate token needs a verified step token and facts');
  return {
    issuer: issuer.issuer,
    decisionId: input.decisionId,
    repositoryUuid: claims.repositoryUuid,
    workspaceUuid: claims.workspaceUuid,
    environment: facts.environment.slug,
    action: input.event.data.action,
    ref: facts.pipeline?.ref.name,
    commit: facts.pipeline?.commit,
    issuedAt: Math.floor(input.now / 1000),
    lifetimeSeconds: Math.min(issuer.lifetimeSeconds, MAX_GATE_TOKEN_SECONDS),
  };
}
