import { Command, CommanderError } from 'commander';
import type { Io } from './io.ts';
import { EXIT } from './outcome/exit.ts';
import { OUTCOMES } from './outcome/outcomes.ts';

/** Sets a command's exit code; commands return their code rather than exiting themselves. */
export type Exit = (code: number) => void;

/** Adds one command family (request, serve, keys, audit, policy) to a program. */
export type Register = (program: Command, io: Io, exit: Exit) => void;

/**
 * A deployable's command line: one program, the families it ships, output through `io`.
 * Commander only maps names; each command validates its options once, reporting every
 * problem together.
 */
export function buildProgram(
  name: string,
  description: string,
  families: readonly Register[],
  io: Io,
  exit: Exit,
): Command {
  const program = new Command(name)
    .description(description)
    .configureOutput({ writeOut: io.write, writeErr: io.write })
    .exitOverride()
    .showHelpAfterError();
  for (const register of families) register(program, io, exit);
  return program;
}

/**
 * Parses argv and runs the chosen command; returns its exit code. A usage error (an unknown
 * option or command) is a configuration problem, exit 2 by the outcome table; --help exit 0;
 * anything thrown past a command (a bug) exit 1.
 */
export async function runProgram(make: (exit: Exit) => Command, argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = make((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    code =
      error instanceof CommanderError
        ? error.exitCode === 0
          ? EXIT.allowed
          : OUTCOMES.CONFIG_INVALID.exit
        : EXIT.unexpected;
  }
  return code;
}
