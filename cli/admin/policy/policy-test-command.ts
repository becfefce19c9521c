import { testPolicyRequest } from '../../../src/policy/policy-test.ts';
import { systemClock } from '../../../src/time.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable, outcomeOf } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { oneTestKind, POLICY_TEST_OPTIONS } from './policy-options.ts';
import { runPolicySuite } from './policy-suite-run.ts';

/**
 * `pulsar-gate-service policy test`: lets people test policy changes in their own CI. With
 * `--request`, one request and the pipe's codes: exit 0 on allow, 1 on deny (DENIED), 4 on
 * pending (what the pipe would do: wait until its timeout). With `--suite`, every case against
 * its expectation: exit 0 when all pass, 1 on any mismatch. 2 when options or files are not usable.
 */
export async function policyTestCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('policy test', 'policy', io.write, async () => {
    const options = mustRead(
      POLICY_TEST_OPTIONS,
      { flags, env: io.env },
      [oneTestKind],
      'policy test options',
    );
    if (options.suite !== undefined)
      return runPolicySuite(options.policyDir, options.suite, options.junit, io.write, systemClock);
    const { decision, text } = await testPolicyRequest(options.policyDir, options.request ?? '', systemClock);
    io.write(text.endsWith('\n') ? text : `${text}\n`);
    if (decision.verdict === 'allow') return EXIT.allowed;
    return decision.verdict === 'deny' ? outcomeOf('DENIED', 'policy').exit : EXIT.timeout;
  });
}
