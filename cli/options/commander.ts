import { type Command, Option } from 'commander';
import { boolean } from './parsers.ts';
import type { OptionSpec, OptionTable } from './spec.ts';

/**
 * Adds a table's options to a command. Commander only maps names here: every option takes
 * raw text (a boolean may stand alone, meaning true), nothing is required or checked by
 * commander, and the help text comes from the same table the reader uses.
 */
export function addOptions(command: Command, table: OptionTable): Command {
  for (const spec of Object.values(table)) {
    const value = spec.parse === boolean ? '[bool]' : '<value>';
    command.addOption(new Option(`${spec.flag} ${value}`, helpOf(spec)));
    if (spec.secret) {
      const env = spec.env === undefined ? '' : ` [env: ${spec.env}_FILE]`;
      command.addOption(new Option(`${spec.flag}-file <path>`, `a file holding ${spec.flag}'s value${env}`));
    }
  }
  return command;
}

/** `what it accepts (required) (default: …) [env: NAME]`. */
export function helpOf(spec: OptionSpec): string {
  const required =
    spec.required === undefined
      ? ''
      : spec.required === true
        ? ' (required)'
        : ` (required ${spec.required})`;
  const fallback = spec.defaultText ?? (spec.fallback === undefined ? undefined : String(spec.fallback));
  const shown = fallback === undefined ? '' : ` (default: ${fallback})`;
  const env = spec.env === undefined ? '' : ` [env: ${spec.env}]`;
  return `${spec.accepts}${required}${shown}${env}`;
}
