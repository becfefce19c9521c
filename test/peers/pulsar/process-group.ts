// Runs a command as the leader of its own process group, so stopping it kills the whole tree.
// The leader is a small watchdog shell: if the Node process that started it dies without
// calling stop() (crash, SIGKILL, Ctrl-C of a test runner), the watchdog stops the JVM, so no
// broker is ever orphaned.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

// $1 = pid to watch, $2 = dir to delete if that pid died first ('' for none), rest = command.
// SIGTERM is forwarded and the shell keeps waiting, so it reaps the command itself and exits
// with the command's status.
const WATCHDOG = `
watched=$1; orphan_dir=$2; shift 2
"$@" &
cmd=$!
trap 'kill -TERM $cmd 2>/dev/null' TERM
while kill -0 "$cmd" 2>/dev/null; do
  if ! kill -0 "$watched" 2>/dev/null; then
    kill -TERM "$cmd" 2>/dev/null; n=0
    while kill -0 "$cmd" 2>/dev/null && [ $n -lt 40 ]; do sleep 0.5; n=$((n+1)); done
    kill -KILL "$cmd" 2>/dev/null
  fi
  sleep 1
done
wait "$cmd"; status=$?
if [ -n "$orphan_dir" ] && ! kill -0 "$watched" 2>/dev/null; then rm -rf "$orphan_dir"; fi
exit $status
`;

export interface GroupProcess {
  /** Process-group id (the watchdog's pid). */
  pgid: number;
  /** Resolves with the command's exit code (or the signal that ended the watchdog). */
  exited: Promise<string>;
  hasExited(): boolean;
}

export interface SpawnGroupOptions {
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Removed by the watchdog if this Node process dies without stopping the command. */
  orphanDir?: string;
}

export function spawnGroup(command: string, args: string[], options: SpawnGroupOptions): GroupProcess {
  const fd = openSync(options.logFile, 'a');
  const watchdogArgs = [String(process.pid), options.orphanDir ?? '', command, ...args];
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, 'pulsar-gate-watchdog', ...watchdogArgs], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: options.env,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const pgid = child.pid;
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ?? String(code));
    });
  });
  // Belt and braces for a normal Node exit without stop(): kill at once rather than in ~1 s.
  const onExit = (): void => signalGroup(pgid, 'SIGKILL');
  process.once('exit', onExit);
  void exited.then(() => process.off('exit', onExit));
  return { pgid, exited, hasExited: () => done };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we want.
  }
}

/** Live (non-zombie) members of a process group; on systems without /proc, asks kill(0). */
export async function groupMembers(pgid: number): Promise<number[]> {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM the group, wait up to `graceMs` for every member to go, then SIGKILL what is left. */
export async function stopGroup(proc: GroupProcess, graceMs = 20_000): Promise<void> {
  signalGroup(proc.pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while ((await groupMembers(proc.pgid)).length > 0 && Date.now() < deadline) await sleep(200);
  if ((await groupMembers(proc.pgid)).length > 0) {
    signalGroup(proc.pgid, 'SIGKILL');
    while ((await groupMembers(proc.pgid)).length > 0) await sleep(50);
  }
  await proc.exited;
}

/** Last `lines` lines of a log file, for error messages. */
export async function logTail(file: string, lines = 50): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '(no log file)');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
