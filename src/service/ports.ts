import type { AuditRecord } from '../audit/entry.ts';
import type { BitbucketFacts } from '../bitbucket/facts.ts';
import type { VerifiedStep } from '../decision/decision-facts.ts';
import type { Decision } from '../events/decision.ts';
import type { AuditLeaf } from '../events/decision-schema.ts';
import type { DecryptionKeyLookup } from '../jose/decrypt.ts';
import type { PolicyEngine } from '../policy/types.ts';
import type { Clock } from '../time.ts';
import type { DecisionRecord } from './decision-record.ts';
import type { ReplayQuestion, ReplayVerdict } from './decision-table.ts';
import type { GateIssuerPort } from './gate-grant.ts';
import type { RequestLimiter } from './request-limits.ts';

/** The step-token verifier as the service needs it (src/identity/verify-step-token.ts). */
export interface TokenVerifierPort {
  verify(
    token: string,
  ): Promise<
    | { readonly ok: true; readonly claims: VerifiedStep }
    | { readonly ok: false; readonly reason: string; readonly message: string }
  >;
}

export interface DecisionSignerPort {
  readonly kid: string;
  sign(decision: Decision): Promise<string>;
}

/** The audit trail as the decider needs it (src/audit/audit-log.ts). */
export interface AuditPort {
  /** Whether an `allow` for this environment must be on every mirror before it is published. */
  audited(environment: string): boolean;
  /**
   * Appends one decision's record to the trail and resolves with its leaf (trail, index); with
   * `durable`, only once every mirror holds it, else fails with AUDIT_UNAVAILABLE (details.seq:
   * the record's seq).
   */
  write(record: AuditRecord, durable: boolean): Promise<AuditLeaf>;
}

/** How the decisions topic settled a recorded decision (src/service/decision-ledger.ts). */
export type Settled =
  | { readonly kind: 'recorded' }
  /** Another decision for this request id came first: it stands, and is the answer. */
  | { readonly kind: 'superseded'; readonly record: DecisionRecord }
  /** Another key bound the step first: this request gets the second key's deny instead. */
  | { readonly kind: 'second-key' };

/** P2: one decision per request id and one request key per step, across every replica. */
export interface ReplayPort {
  /** Runs `task` alone among the step's requests on this replica, after catching up with every replica. */
  withStep<T>(stepUuid: string, task: () => Promise<T>): Promise<T>;
  check(input: ReplayQuestion): ReplayVerdict;
  /** Records a signed decision before it is published; resolves with the decision that stands. */
  record(record: DecisionRecord): Promise<Settled>;
}

/** What deciding one request needs, wired once by `serve`. */
export interface DeciderPorts {
  /** The service's decryption keys by `kid`: the step token arrives encrypted (P5). */
  readonly tokenKeys: DecryptionKeyLookup;
  readonly verifier: TokenVerifierPort;
  /** Read on every request, so a reload swaps it atomically. */
  readonly policy: () => PolicyEngine;
  readonly signer: DecisionSignerPort;
  readonly replay: ReplayPort;
  /** Per-step and per-repository limits, asked before anything is decided (issue 13 §4). */
  readonly limits: RequestLimiter;
  readonly clock: Clock;
  /** How long a decision stays valid, in ms. */
  readonly decisionTtlMs: number;
  /** The audit trail; absent, decisions leave only the decision log (tests, no STATE_DIR). */
  readonly audit?: AuditPort;
  /**
   * Where the environment and the pipeline a token names are looked up (Bitbucket's API or
   * the operator's environment map), and which environments steps without one may ask for.
   */
  readonly facts: { readonly facts: BitbucketFacts; readonly openEnvironments: readonly string[] };
  /** GATE_ISSUER and its key (issue 14); absent, a gate-mode request is denied. */
  readonly gateIssuer?: GateIssuerPort;
}
