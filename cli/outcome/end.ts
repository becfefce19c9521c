import { type ErrorCode, GateError } from '../../src/errors.ts';
import { EXIT, type Family, type Outcome } from './exit.ts';
import { OUTCOMES } from './outcomes.ts';

/** What a code means for a command of `family`: its exit code, failed path and hint. */
export function outcomeOf(code: ErrorCode, family: Family): Required<Omit<Outcome, 'hints'>> {
  const outcome = OUTCOMES[code];
  return { exit: outcome.exit, path: outcome.path, hint: outcome.hints?.[family] ?? outcome.hint };
}

/**
 * How `serve` and the admin commands end on an error: one `✖ <command>:` line per line of
 * the message, the hint for this family, and the table's exit code. A throw that is not a
 * GateError is a bug: exit 1, fail closed.
 */
export function failed(
  error: unknown,
  command: string,
  family: Family,
  write: (text: string) => void,
): number {
  if (!(error instanceof GateError)) {
    write(`✖ ${command}: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.unexpected;
  }
  const outcome = outcomeOf(error.code, family);
  for (const line of error.message.split('\n')) write(`✖ ${command}: ${line}\n`);
  write(`  hint: ${outcome.hint}\n`);
  return outcome.exit;
}

/** Runs a command's body and ends it through the table when it throws. */
export async function endThroughTable(
  command: string,
  family: Family,
  write: (text: string) => void,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    return failed(error, command, family, write);
  }
}
