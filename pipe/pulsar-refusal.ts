import type { GateError } from '../src/errors.ts';
import type { StepToken } from '../src/identity/step-token.ts';
import { unverifiedClaims } from '../src/jose/unverified-claims.ts';

/** Who the pipe is to Pulsar, as far as the pipe can tell (for messages, never for decisions). */
export interface PulsarIdentity {
  /** The role the broker derives, or undefined when the token does not say. */
  readonly role: string | undefined;
  readonly source: 'PULSAR_TOKEN' | 'step OIDC token';
  readonly stepTokenLacksNbf: boolean;
}

/**
 * PULSAR_TOKEN's role is its `sub` (the token provider's default `tokenAuthClaim`); the step
 * token's is its `repositoryUuid`, the `openIDRoleClaim` README "Configure your Pulsar
 * cluster" sets, because `sub` changes with every step.
 */
export async function pulsarIdentity(
  pulsarToken: string | undefined,
  stepToken: StepToken,
): Promise<PulsarIdentity> {
  if (pulsarToken !== undefined) {
    let sub: unknown;
    try {
      sub = (await unverifiedClaims(pulsarToken)).sub;
    } catch {
      sub = undefined; // an opaque token: the broker's mapping is unknown here
    }
    return {
      role: typeof sub === 'string' ? sub : undefined,
      source: 'PULSAR_TOKEN',
      stepTokenLacksNbf: false,
    };
  }
  return {
    role: stepToken.claims.repositoryUuid,
    source: 'step OIDC token',
    stepTokenLacksNbf: stepToken.claims.nbf === undefined,
  };
}

/** The ✖ line and hint for a Pulsar refusal, naming role, topic and the grant that is missing. */
export function explainRefusal(
  error: GateError,
  who: PulsarIdentity,
): { message: string; hint: string } | undefined {
  const { topic, action } = error.details;
  if (error.code === 'PULSAR_NOT_PERMITTED' && topic !== undefined && action !== undefined) {
    const role = who.role ?? `of the ${who.source}`;
    return {
      message: `Pulsar refused role ${role} on ${topic}: grant it ${action} on that topic`,
      hint: `pulsar-admin topics grant-permission --role '${who.role ?? '<role>'}' --actions ${action} ${topic} (README: Configure your Pulsar cluster)`,
    };
  }
  // Bitbucket never sets nbf; Pulsar's OpenID provider required it until apache/pulsar#25197.
  if (error.code === 'PULSAR_AUTH' && who.stepTokenLacksNbf) {
    return {
      message: `${error.message}; the step OIDC token has no nbf claim, and Pulsar's OpenID Connect provider refuses such tokens before 3.0.16, 4.0.9 and 4.1.3`,
      hint: "run Pulsar 3.0.16, 4.0.9, 4.1.3 or later with its OpenID Connect provider trusting this workspace's issuer and audience (README: Configure your Pulsar cluster), or set PULSAR_TOKEN as a secured variable",
    };
  }
  return undefined;
}
