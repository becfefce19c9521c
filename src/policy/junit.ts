/** One test case's outcome, as JUnit XML reports it. */
export interface JunitCase {
  readonly suite: string;
  readonly name: string;
  readonly file: string;
  readonly seconds: number;
  /** Empty when it passed; otherwise what differed, one line each. */
  readonly failures: readonly string[];
}

/**
 * The JUnit XML that Bitbucket Pipelines reads as test results (it picks up `*.xml` under
 * `test-results/` or `test-reports/` at any depth, "Test reporting in Pipelines"): one
 * `<testsuite>` per suite, one `<testcase>` per case, a `<failure>` for each mismatch. The
 * format is the de facto Ant/Surefire schema; every text is XML-escaped (XML 1.0 §2.4),
 * characters XML cannot hold at all are dropped.
 */
export function junitXml(cases: readonly JunitCase[]): string {
  const suites = new Map<string, JunitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const failed = cases.filter((c) => c.failures.length > 0).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pulsar-gate policy test" tests="${cases.length}" failures="${failed}" errors="0" time="${sum(cases)}">`,
  ];
  for (const [suite, members] of suites) {
    const f = members.filter((c) => c.failures.length > 0).length;
    lines.push(
      `  <testsuite name="${esc(suite)}" tests="${members.length}" failures="${f}" errors="0" skipped="0" time="${sum(members)}">`,
    );
    for (const c of members) {
      const open = `    <testcase classname="${esc(suite)}" name="${esc(c.name)}" file="${esc(c.file)}" time="${c.seconds.toFixed(3)}"`;
      if (c.failures.length === 0) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      lines.push(
        `      <failure message="${esc(c.failures[0] ?? '')}" type="mismatch">${esc(c.failures.join('\n'))}</failure>`,
      );
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

const sum = (cases: readonly JunitCase[]) => cases.reduce((t, c) => t + c.seconds, 0).toFixed(3);

function esc(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
