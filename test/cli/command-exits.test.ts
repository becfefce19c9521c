// Every command reads its options through cli/options and ends through cli/outcome: a
// representative failure of each, in process, with the exit code and hint of the one table.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditExportCommand, auditVerifyCommand } from '../../cli/admin/audit/audit-command.ts';
import { keysGenerateCommand } from '../../cli/admin/keys/keys-generate-command.ts';
import { keysRotateCommand } from '../../cli/admin/keys/keys-rotate-command.ts';
import { policyTestCommand } from '../../cli/admin/policy/policy-test-command.ts';
import type { Io } from '../../cli/io.ts';
import { outcomeOf } from '../../cli/outcome/end.ts';
import type { Family } from '../../cli/outcome/exit.ts';
import { serveCommand } from '../../cli/service/serve-command.ts';
import { requestCommand } from '../../pipe/request-command.ts';
import type { ErrorCode } from '../../src/errors.ts';

function io(env: Record<string, string> = {}): { io: Io; output: () => string } {
  const out: string[] = [];
  return { io: { write: (t) => void out.push(t), env, cwd: process.cwd() }, output: () => out.join('') };
}

type Flags = Record<string, string | boolean>;
type Run = (flags: Flags, io: Io) => Promise<number>;
const serve: Run = (flags, io) => serveCommand(flags, io, process);

/** Each command with a boolean option, given `maybe` for it. */
const BOOLEANS: [string, Run, Flags, Record<string, string>, string][] = [
  ['request', requestCommand, {}, { DEBUG: 'maybe' }, 'DEBUG'],
  ['serve', serve, {}, { ALLOW_INSECURE_ISSUER: 'maybe' }, 'ALLOW_INSECURE_ISSUER'],
  ['serve', serve, { auditS3CreateBucket: 'maybe' }, {}, '--audit-s3-create-bucket'],
  ['keys generate', keysGenerateCommand, { out: tmpdir(), add: 'maybe' }, {}, '--add'],
  [
    'audit verify',
    auditVerifyCommand,
    { file: 'f', keys: 'k', s3ForcePathStyle: 'maybe' },
    {},
    '--s3-force-path-style',
  ],
];

describe('every command refuses `maybe` for a boolean', () => {
  it.each(BOOLEANS)('%s: exit 2, naming it', async (_, run, flags, env, name) => {
    const { io: cmdIo, output } = io(env);
    expect(await run(flags, cmdIo)).toBe(2);
    expect(output()).toMatch(new RegExp(`✖ (.*: )?${name}: is not a boolean .*\\(got "maybe"\\)`));
  });
});

/** A representative failure per command, and the family whose hint it must print. */
const POLICIES = new URL('../../examples/policies', import.meta.url).pathname;
const FAILURES: [string, Run, Flags, Family, ErrorCode][] = [
  ['request', requestCommand, {}, 'request', 'CONFIG_INVALID'],
  ['serve', serve, {}, 'serve', 'CONFIG_INVALID'],
  ['keys generate', keysGenerateCommand, { alg: 'RS256' }, 'keys', 'CONFIG_INVALID'],
  [
    'keys rotate',
    keysRotateCommand,
    { dir: '/nonexistent', keysTopic: 'k', pulsarUrl: 'ws://127.0.0.1:9' },
    'keys',
    'KEYS_UNAVAILABLE',
  ],
  ['audit verify', auditVerifyCommand, { keys: 'k' }, 'audit', 'CONFIG_INVALID'],
  [
    'audit export',
    auditExportCommand,
    { file: 'f', keys: 'k', from: 'soon', to: '2026-01-01' },
    'audit',
    'CONFIG_INVALID',
  ],
  [
    'policy test',
    policyTestCommand,
    { policyDir: POLICIES, request: '/nonexistent/r.json' },
    'policy',
    'CONFIG_INVALID',
  ],
];

describe('every command ends through the one outcome table', () => {
  it.each(FAILURES)('%s: the exit code and family hint of the table', async (_, run, flags, family, code) => {
    const { io: cmdIo, output } = io();
    const outcome = outcomeOf(code, family);
    expect(await run(flags, cmdIo)).toBe(outcome.exit);
    expect(output()).toContain(`hint: ${outcome.hint}`);
  });

  it('a secret given on the command line and in a file: refused, and never printed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-'));
    const { io: cmdIo, output } = io({ PULSAR_TOKEN: 'tok3n-value', PULSAR_TOKEN_FILE: join(dir, 'absent') });
    expect(await serve({}, cmdIo)).toBe(2);
    expect(output()).toContain('PULSAR_TOKEN: is given together with PULSAR_TOKEN_FILE');
    expect(output()).not.toContain('tok3n-value');
  });
});
