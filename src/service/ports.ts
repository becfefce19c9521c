import type { Decision } from '../events/decision.ts';
import type { PolicyEngine, VerifiedClaims } from '../policy/types.ts';
import type { Clock } from '../time.ts';
import type { ReplayGuard } from './replay-guard.ts';

/** The step-token verifier as the service needs it (src/identity/verify-step-token.ts). */
export interface TokenVerifierPort {
  verify(
    token: string,
  ): Promise<
    | { readonly ok: true; readonly claims: VerifiedClaims & { readonly stepUuid: string } }
    | { readonly ok: false; readonly reason: string; readonly message: string }
  >;
}

export interface DecisionSignerPort {
  readonly kid: string;
  sign(decision: Decision): Promise<string>;
}

/** What deciding one request needs, wired once by `serve`. */
export interface DeciderPorts {
  readonly verifier: TokenVerifierPort;
  /** Read on every request, so a reload swaps it atomically. */
  readonly policy: () => PolicyEngine;
  readonly signer: DecisionSignerPort;
  readonly guard: ReplayGuard;
  readonly clock: Clock;
  /** How long a decision stays valid, in ms. */
  readonly decisionTtlMs: number;
}
