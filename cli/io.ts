/** The process environment as read once at an entrypoint; nothing below it reads process.env. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a command may touch of its process: one writer for its output, the environment, the cwd. */
export interface Io {
  readonly write: (text: string) => void;
  /**
   * Where a human-readable log goes when stdout carries a machine-readable document (the
   * pipe's OUTPUT_FORMAT=json): stderr. Absent, the log goes to `write`.
   */
  readonly writeLog?: (text: string) => void;
  readonly env: Env;
  readonly cwd: string;
}

/** The Io of the running process: read at the entrypoint, handed down from there. */
export function processIo(): Io {
  return {
    write: (text: string) => void process.stdout.write(text),
    writeLog: (text: string) => void process.stderr.write(text),
    env: { ...process.env },
    cwd: process.cwd(),
  };
}
