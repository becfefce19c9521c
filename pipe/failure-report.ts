import { outcomeOf } from '../cli/outcome/end.ts';
import { EXIT } from '../cli/outcome/exit.ts';
import { GateError } from '../src/errors.ts';
import type { CredentialsMode } from '../src/gate/ports.ts';
import { failedDocument, type OutcomeDocument } from './outcome-document.ts';
import { explainRefusal, type PulsarIdentity } from './pulsar-refusal.ts';
import type { createStepLog } from './step-log.ts';

/**
 * How a failed request ends: the ✖ lines of the step log (what failed, where, and what to
 * do; a Pulsar refusal explained for the identity that was refused), and the exit code and
 * outcome document the outcome table (cli/outcome/outcomes.ts) gives its error code.
 */
export function reportFailure(
  error: unknown,
  log: ReturnType<typeof createStepLog>,
  started: number,
  who: PulsarIdentity | undefined,
  mode?: CredentialsMode,
): { exitCode: number; document: OutcomeDocument } {
  const elapsedMs = Date.now() - started;
  if (!(error instanceof GateError)) {
    log.info(
      `✖ Failed: unexpected error: ${error instanceof Error ? error.message : String(error)} — failed at: pulsar-gate`,
    );
    log.debug(error instanceof Error && error.stack ? error.stack : '');
    const how = {
      exitCode: EXIT.unexpected,
      path: 'pulsar-gate',
      hint: 'a bug: please report it',
      elapsedMs,
      mode,
    };
    return { exitCode: EXIT.unexpected, document: failedDocument(undefined, { ...how, redact: log.redact }) };
  }
  const outcome = outcomeOf(error.code, 'request');
  const path = error.details.path ?? outcome.path;
  const lines = error.message.split('\n');
  const refusal = who && explainRefusal(error, who);
  if (refusal) {
    log.info(`✖ Pulsar: ${refusal.message} — failed at: ${path}`);
    log.info(`  hint: ${refusal.hint}`);
  } else if (error.code === 'DENIED') {
    log.info(`✖ Denied: ${lines.join('; ')} — failed at: ${path}`);
  } else if (error.code === 'CONFIG_INVALID') {
    // One line per problem, each naming its variable (all problems at once).
    for (const line of lines) log.info(`✖ ${line}`);
    log.info(`  ${lines.length} problem${lines.length === 1 ? '' : 's'} — failed at: ${path}`);
  } else {
    log.info(`✖ ${titleOf(error.code)}: ${error.message} — failed at: ${path}`);
  }
  if (!refusal) log.info(`  hint: ${outcome.hint}`);
  if (error.details.subject) log.info(`  token sub: ${error.details.subject}`);
  log.debug(`error code ${error.code} after ${(elapsedMs / 1000).toFixed(1)} s${causeOf(error)}`);
  const hint = refusal?.hint ?? outcome.hint;
  const how = { exitCode: outcome.exit, path, hint, elapsedMs, redact: log.redact, mode };
  return { exitCode: outcome.exit, document: failedDocument(error, how) };
}

function titleOf(code: GateError['code']): string {
  if (code === 'DECISION_TIMEOUT') return 'Timed out';
  if (code.startsWith('PULSAR')) return 'Pulsar';
  if (code.startsWith('STS')) return 'AWS STS';
  if (code.startsWith('TOKEN')) return 'Identity';
  if (code.startsWith('KEYS')) return 'Decision keys';
  return 'Failed';
}

function causeOf(error: GateError): string {
  const cause = error.cause;
  return cause instanceof Error ? `; cause: ${cause.name}: ${cause.message.split('\n')[0]}` : '';
}
