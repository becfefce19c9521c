import { describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io.ts';
import { camel } from '../../cli/options/camel.ts';
import { buildProgram, type Register, runProgram } from '../../cli/program.ts';

function io(): Io & { text: () => string } {
  const out: string[] = [];
  return { write: (t) => void out.push(t), env: {}, cwd: '/', text: () => out.join('') };
}

const family: Register = (program, _io, exit) => {
  program.command('ok').action(() => exit(0));
  program.command('deny').action(() => exit(1));
  program.command('boom').action(() => {
    throw new TypeError('a bug');
  });
};

const run = (argv: string[], out = io()) =>
  runProgram((exit) => buildProgram('t', 'test program', [family], out, exit), ['node', 't', ...argv]);

describe('one command line per deployable (cli/program.ts)', () => {
  it("a command's own exit code is the process's", async () => {
    expect(await run(['ok'])).toBe(0);
    expect(await run(['deny'])).toBe(1);
  });

  it('usage errors are exit 2 and say what was wrong; --help is exit 0', async () => {
    const out = io();
    expect(await run(['nope'], out)).toBe(2);
    expect(out.text()).toContain("unknown command 'nope'");
    expect(await run(['--help'])).toBe(0);
  });

  it('anything thrown past a command is exit 1, not a silent success', async () => {
    expect(await run(['boom'])).toBe(1);
  });

  it('flag names map to the option keys commander uses', () => {
    expect(camel('--oauth-client-secret-file')).toBe('oauthClientSecretFile');
  });
});
