import type { AwsCredentials, CredentialBroker, SessionAsk } from '../credentials/credentials.ts';
import type { Decision } from '../events/decision.ts';
import type { Action, PipelineContext } from '../events/request.ts';
import type { RequestSigner } from '../events/request-signing.ts';
import type { StepToken } from '../identity/step-token.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import type { StepOutputs } from '../output/step-outputs.ts';
import type { Clock } from '../time.ts';
import type { Transport } from '../transport/transport.ts';

/** The step log. Lines are plain text: a step log has no TTY. */
export interface StepLog {
  info(line: string): void;
  warn(line: string): void;
  debug(line: string): void;
  /** Marks a value that must never appear in any later line (defence in depth for P5). */
  secret(value: string): void;
}

/** Everything the gate talks to, wired in one place (pipe/wire.ts). */
export interface GatePorts {
  readonly credentials: CredentialBroker;
  readonly transport: Transport;
  readonly newSigner: () => Promise<RequestSigner>;
  readonly trustedKeys: () => Promise<TrustedKeys>;
  readonly writeOutputs: (credentials: AwsCredentials, decision: Decision) => Promise<StepOutputs>;
  readonly clock: Clock;
  readonly log: StepLog;
}

export type CredentialsMode = 'gate' | 'step';

/** What one gate run asks for, from the validated configuration. */
export interface GateRequest {
  /**
   * `gate`: credentials only from the gate token of a verified allow (issue 14); `step`: the
   * step token is exchanged before the wait, and the gate is advisory (README).
   */
  readonly mode: CredentialsMode;
  readonly token: StepToken;
  /** What the step asks STS for (and the request event reports as metadata). */
  readonly session: SessionAsk;
  readonly region: string;
  readonly action: Action;
  readonly environment: string;
  readonly pipeline: PipelineContext;
  readonly topic: string;
  readonly replyTopic: string;
  /** Where decision-key sets are announced; undefined: DECISION_KEYS alone is trusted. */
  readonly keysTopic?: string | undefined;
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
}

export interface GateResult {
  readonly decision: Decision;
  readonly requestId: string;
  readonly elapsedMs: number;
  readonly outputs: StepOutputs;
  readonly assumedRoleArn: string;
  readonly expiration: Date;
  readonly mode: CredentialsMode;
}
