import { relative } from 'node:path';
import type { ErrorCode, GateError } from '../src/errors.ts';
import type { CredentialsMode, GateResult } from '../src/gate/ports.ts';

/**
 * The outcome of one `pulsar-gate request` as one JSON document (OUTPUT_FORMAT=json), for
 * scripts: what happened, why, where it failed, and where the credentials are — never a
 * token, a key or a credential. Every string in it has been through the step log's redaction.
 */
export interface OutcomeDocument {
  readonly outcome: 'allowed' | 'denied' | 'failed';
  /** What outcome.json leads with: the verdict, a timeout (pending included) or an error. */
  readonly verdict: 'allow' | 'deny' | 'timeout' | 'error';
  /** CREDENTIALS: gate or step, once the configuration was read. */
  readonly mode?: CredentialsMode;
  readonly decisionId?: string;
  readonly exitCode: number;
  /** The error code (absent when allowed): see the README's exit codes. */
  readonly code?: ErrorCode;
  readonly requestId?: string;
  readonly policies?: readonly string[];
  readonly reasons: readonly string[];
  readonly failedPath?: string;
  readonly hint?: string;
  readonly elapsedMs: number;
  /** Where the credentials were written (allowed only), relative to the clone directory. */
  readonly credentials?: {
    readonly assumedRoleArn: string;
    readonly expiration: string;
    readonly awsEnv: string;
    readonly sharedCredentialsFile: string;
    readonly profile: string;
  };
}

export function allowedDocument(result: GateResult, cwd: string, elapsedMs: number): OutcomeDocument {
  const dir = relative(cwd, result.outputs.dir) || '.';
  return {
    outcome: 'allowed',
    verdict: 'allow',
    mode: result.mode,
    exitCode: 0,
    requestId: result.requestId,
    ...(result.decision.decisionId ? { decisionId: result.decision.decisionId } : {}),
    policies: [...result.decision.policy.ids],
    reasons: [...result.decision.reasons],
    elapsedMs,
    credentials: {
      assumedRoleArn: result.assumedRoleArn,
      expiration: result.expiration.toISOString(),
      awsEnv: `${dir}/aws.env`,
      sharedCredentialsFile: `${dir}/credentials`,
      profile: result.outputs.profile,
    },
  };
}

export function failedDocument(
  error: GateError | undefined,
  how: {
    exitCode: number;
    path: string;
    hint: string;
    elapsedMs: number;
    redact: (text: string) => string;
    mode?: CredentialsMode | undefined;
  },
): OutcomeDocument {
  const requestId = error?.details.requestId;
  const decisionId = error?.details.decisionId;
  const policies = error?.details.policies;
  return {
    outcome: error?.code === 'DENIED' ? 'denied' : 'failed',
    verdict: error?.code === 'DENIED' ? 'deny' : error?.code === 'DECISION_TIMEOUT' ? 'timeout' : 'error',
    ...(how.mode ? { mode: how.mode } : {}),
    ...(decisionId ? { decisionId } : {}),
    exitCode: how.exitCode,
    ...(error ? { code: error.code } : {}),
    ...(requestId ? { requestId } : {}),
    ...(policies ? { policies: policies.split(', ') } : {}),
    reasons: error
      ? error.message.split(error.code === 'DENIED' ? '; ' : '\n').map(how.redact)
      : ['unexpected error'],
    failedPath: how.redact(how.path),
    hint: how.redact(how.hint),
    elapsedMs: how.elapsedMs,
  };
}
