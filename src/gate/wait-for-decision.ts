import { GateError } from '../errors.ts';
import { type Decision, verifyDecision } from '../events/decision.ts';
import type { TrustedKeys } from '../keys/trusted-keys.ts';
import type { Clock } from '../time.ts';
import type { Attachment, IncomingMessage } from '../transport/transport.ts';
import type { StepLog } from './ports.ts';

export interface Expectation {
  readonly requestId: string;
  readonly requestDigest: string;
  readonly nonce: string;
  readonly requestKeyThumbprint: string;
}

export interface WaitOptions {
  readonly attachment: Attachment;
  /** The decision keys trusted now (pinned, or followed on KEYS_TOPIC up to this moment). */
  readonly trust: (deadline: number) => Promise<TrustedKeys>;
  readonly expect: Expectation;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
  readonly clock: Clock;
  readonly log: StepLog;
}

/** Decisions are small; anything bigger is not worth parsing. */
const MAX_DECISION_BYTES = 64 * 1024;

/**
 * Waits for the one decision that answers this request (P1): signed by a trusted key and
 * bound to this request's id, digest, nonce and key. Everything else on the reply topic is
 * skipped with a warning and the wait goes on. `pending` keeps waiting; the deadline
 * turns silence into DECISION_TIMEOUT (fail closed, P4).
 */
export async function waitForDecision(options: WaitOptions): Promise<Decision> {
  const { clock, log, expect } = options;
  const started = clock.now();
  let nextBeat = started + options.heartbeatMs;
  const shown = new Set<string>();
  let announced = false;
  for (;;) {
    let message: IncomingMessage;
    try {
      message = await options.attachment.receive(Math.min(options.deadline, nextBeat));
    } catch (error) {
      if (!(error instanceof GateError) || error.code !== 'PULSAR_TIMEOUT') throw error;
      if (clock.now() >= options.deadline) throw timedOut(options);
      log.info(
        `… waiting for a decision: ${seconds(clock.now() - started)} / ${seconds(options.timeoutMs)} (request ${expect.requestId})`,
      );
      nextBeat += options.heartbeatMs;
      continue;
    }
    const decision = await check(message, options);
    if (decision === undefined) continue;
    if (decision.verdict !== 'pending') return decision;
    if (!announced) {
      announced = true;
      const who = decision.approvers?.length ? decision.approvers.join(', ') : 'a person named by the policy';
      log.info(`⏸ Pending: approval needed from ${who} (request ${expect.requestId})`);
    }
    // Progress from the approvals desk ("1 of 2 approvals from … — approve at …"), each line once.
    for (const line of decision.reasons.filter((r) => !shown.has(r))) {
      shown.add(line);
      log.info(`⏸ ${line}`);
    }
  }
}

async function check(message: IncomingMessage, options: WaitOptions): Promise<Decision | undefined> {
  const { log, expect } = options;
  const correlation = message.properties.correlationId;
  if (correlation !== undefined && correlation !== expect.requestId) {
    log.debug(`skipped a reply for another request (${correlation.slice(0, 64)})`);
    return undefined;
  }
  if (message.payload.length > MAX_DECISION_BYTES) {
    log.warn(
      `⚠ Ignored a ${message.payload.length}-byte message on the reply topic: larger than any decision`,
    );
    return undefined;
  }
  let trusted: TrustedKeys;
  try {
    trusted = await options.trust(options.deadline);
  } catch (error) {
    if (error instanceof GateError && error.code === 'PULSAR_TIMEOUT') throw timedOut(options);
    throw error;
  }
  const result = await verifyDecision(message.payload.toString('utf8'), trusted, {
    ...expect,
    now: new Date(options.clock.now()),
  });
  if (!result.ok) {
    log.warn(`⚠ Ignored a message on the reply topic: ${result.message} (${result.reason})`);
    return undefined;
  }
  log.debug(`verified decision signed by key ${result.kid}`);
  return result.decision;
}

function timedOut(options: WaitOptions): GateError {
  return new GateError(
    'DECISION_TIMEOUT',
    `no valid decision arrived within ${seconds(options.timeoutMs)} (request ${options.expect.requestId})`,
    { details: { path: 'decision service' } },
  );
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
