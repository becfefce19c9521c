// How a failed request ends in the step log and outcome.json: the exit code and hint come
// from the one outcome table, the ✖ lines say what failed and where, and nothing secret
// passes through the document.
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../cli/outcome/end.ts';
import { EXIT } from '../../cli/outcome/exit.ts';
import { reportFailure } from '../../pipe/failure-report.ts';
import { createStepLog } from '../../pipe/step-log.ts';
import { GateError } from '../../src/errors.ts';

function captured() {
  const lines: string[] = [];
  const log = createStepLog((line) => lines.push(line.trimEnd()), false);
  return { log, lines };
}

describe('reportFailure', () => {
  it('a deny: every reason on one ✖ line, the path the error names, the deny exit code', () => {
    const { log, lines } = captured();
    const error = new GateError('DENIED', 'not from main; outside the window', {
      details: { path: 'policy prod-deploy' },
    });
    const ended = reportFailure(error, log, Date.now(), undefined, 'gate');
    expect(ended.exitCode).toBe(EXIT.denied);
    expect(lines[0]).toBe('✖ Denied: not from main; outside the window — failed at: policy prod-deploy');
    expect(lines[1]).toBe(`  hint: ${outcomeOf('DENIED', 'request').hint}`);
    expect(ended.document).toMatchObject({
      outcome: 'denied',
      verdict: 'deny',
      mode: 'gate',
      reasons: ['not from main', 'outside the window'],
      failedPath: 'policy prod-deploy',
    });
  });

  it('configuration problems: one ✖ line each, then how many, and the table hint', () => {
    const { log, lines } = captured();
    const error = new GateError('CONFIG_INVALID', 'TOPIC: required\nTIMEOUT: not a number');
    const ended = reportFailure(error, log, Date.now(), undefined);
    expect(ended.exitCode).toBe(outcomeOf('CONFIG_INVALID', 'request').exit);
    expect(lines.slice(0, 3)).toEqual([
      '✖ TOPIC: required',
      '✖ TIMEOUT: not a number',
      `  2 problems — failed at: ${outcomeOf('CONFIG_INVALID', 'request').path}`,
    ]);
  });

  it('other codes are titled by their family; silence until the deadline is a timeout', () => {
    const { log, lines } = captured();
    const ended = reportFailure(
      new GateError('DECISION_TIMEOUT', 'no decision in 60 s'),
      log,
      Date.now(),
      undefined,
    );
    expect(ended.exitCode).toBe(EXIT.timeout);
    expect(lines[0]).toBe(
      `✖ Timed out: no decision in 60 s — failed at: ${outcomeOf('DECISION_TIMEOUT', 'request').path}`,
    );
    expect(ended.document).toMatchObject({ outcome: 'failed', verdict: 'timeout', code: 'DECISION_TIMEOUT' });
  });

  it('anything that is not a GateError is a bug: the unexpected exit, and a token in it never shows', () => {
    const { log, lines } = captured();
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const ended = reportFailure(new TypeError(`cannot read ${token}`), log, Date.now(), undefined);
    expect(ended.exitCode).toBe(EXIT.unexpected);
    expect(lines[0]).toMatch(
      /^✖ Failed: unexpected error: cannot read \[redacted token\] — failed at: pulsar-gate$/,
    );
    expect(lines.join('\n')).not.toContain(token);
    expect(ended.document).toMatchObject({ failedPath: 'pulsar-gate', hint: 'a bug: please report it' });
  });
});
