/** The process environment as read once at an entrypoint; nothing below it reads process.env. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a command may touch of its process: one writer for its output, the environment, the cwd. */
export interface Io {
  readonly write: (text: string) => void;
  readonly env: Env;
  readonly cwd: string;
}

/** The Io of the running process: read at the entrypoint, handed down from there. */
export function processIo(): Io {
  return {
    write: (text: string) => void process.stdout.write(text),
    env: { ...process.env },
    cwd: process.cwd(),
  };
}
