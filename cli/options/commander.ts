import { type Command, Option } from 'commander';
import type { Io } from '../io.ts';
import type { Exit, Register } from '../program.ts';
import { boolean } from './parsers.ts';
import type { OptionSource, OptionSpec, OptionTable } from './spec.ts';

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

/** What a command runs: its raw flags and the process's Io in, the exit code out. */
export type CommandBody = (flags: OptionSource['flags'], io: Io) => Promise<number>;

/**
 * A subcommand whose options are `table` and whose body is loaded on use (so that loading
 * the program does not load every command's dependencies, Cedar's wasm among them).
 */
export function addCommand(
  parent: Command,
  name: string,
  description: string,
  table: OptionTable,
  run: {
    readonly io: Io;
    readonly exit: Exit;
    readonly load: () => Promise<CommandBody>;
    readonly argument?: FamilyCommand['argument'];
  },
): Command {
  const command = parent.command(name).description(description);
  const { argument } = run;
  if (argument === undefined)
    return addOptions(command, table).action(async (flags: OptionSource['flags']) => {
      const body = await run.load();
      run.exit(await body(flags, run.io));
    });
  // The argument is one option of the table given without its flag: the reader sees one value.
  command.argument(`[${argument.name}]`, `as ${table[argument.key]?.flag ?? argument.key}`);
  return addOptions(command, table).action(
    async (value: string | undefined, flags: OptionSource['flags']) => {
      const body = await run.load();
      run.exit(await body(value === undefined ? flags : { ...flags, [argument.key]: value }, run.io));
    },
  );
}

/** One subcommand of a family: its words, its option table, and its body, loaded on use. */
export interface FamilyCommand {
  readonly name: string;
  readonly description: string;
  readonly options: OptionTable;
  readonly load: () => Promise<CommandBody>;
  /** One positional argument standing for the option `key` of the table (`audit prove <request-id>`). */
  readonly argument?: { readonly name: string; readonly key: string };
}

/** A command family (`keys`, `audit`, `policy`) as a Register: `<family> <command> [options]`. */
export function commandFamily(
  name: string,
  description: string,
  commands: readonly FamilyCommand[],
): Register {
  return (program, io, exit) => {
    const family = program.command(name).description(description);
    for (const c of commands)
      addCommand(family, c.name, c.description, c.options, { io, exit, load: c.load, argument: c.argument });
  };
}
