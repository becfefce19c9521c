import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type JunitCase, junitXml } from '../../../src/policy/junit.ts';
import { loadPolicySet } from '../../../src/policy/load-policy-set.ts';
import { readSuite } from '../../../src/policy/policy-suite.ts';
import { mismatches } from '../../../src/policy/suite-expectation.ts';
import type { Clock } from '../../../src/time.ts';
import { EXIT } from '../../outcome/exit.ts';

/**
 * Runs every case of a suite directory against the policy set: one line per case (✔ or ✖ and
 * what differed), a summary line `N passed, N failed`, and the JUnit report when asked. Exit 0
 * when every case passed, 1 otherwise (a suite that cannot be read is CONFIG_INVALID, exit 2).
 */
export async function runPolicySuite(
  policyDir: string,
  suiteDir: string,
  junit: string | undefined,
  write: (text: string) => void,
  clock: Clock,
): Promise<number> {
  const engine = await loadPolicySet(policyDir);
  const cases = await readSuite(suiteDir, clock);
  write(
    `policy set ${policyDir} (digest ${engine.digest}, ${engine.policyIds.length} policies); suite ${suiteDir}\n`,
  );
  const results: JunitCase[] = cases.map((c) => {
    const started = performance.now();
    const decision = engine.decide(c.input);
    const failures = mismatches(c.expect, decision);
    const seconds = (performance.now() - started) / 1000;
    const file = relative(suiteDir, c.file);
    write(`${failures.length === 0 ? '✔' : '✖'} ${file}: ${c.name}\n`);
    for (const f of failures) write(`    ${f}\n`);
    return { suite: c.suite, name: c.name, file: c.file, seconds, failures };
  });
  const failed = results.filter((r) => r.failures.length > 0).length;
  write(`${results.length - failed} passed, ${failed} failed\n`);
  if (junit !== undefined) {
    await mkdir(dirname(junit), { recursive: true });
    await writeFile(junit, junitXml(results));
    write(`JUnit report: ${junit}\n`);
  }
  return failed === 0 ? EXIT.allowed : EXIT.denied;
}
