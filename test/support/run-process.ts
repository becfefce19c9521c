import { type ExecFileOptions, execFile } from 'node:child_process';

export interface ProcessRun {
  /** The exit code; a process killed by a signal or the timeout counts as 1. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to its end and returns its exit code and output, whether it succeeded or
 * not: the tests assert on failures as much as on successes.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: ExecFileOptions = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { ...options, encoding: 'utf8' }, (error, stdout, stderr) => {
      const out = String(stdout);
      const err = String(stderr);
      if (error === null) return resolve({ code: 0, stdout: out, stderr: err });
      // ENOENT and the like: the command never ran, which is the test's problem, not a result.
      if (typeof error.code === 'string') return reject(error);
      resolve({ code: typeof error.code === 'number' ? error.code : 1, stdout: out, stderr: err });
    });
  });
}
