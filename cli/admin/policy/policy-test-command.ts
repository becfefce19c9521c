import { testPolicyRequest } from '../../../src/policy/policy-test.ts';
import { systemClock } from '../../../src/time.ts';
import type { Io } from '../../io.ts';
import { mustRead } from '../../options/read.ts';
import type { OptionSource } from '../../options/spec.ts';
import { endThroughTable, outcomeOf } from '../../outcome/end.ts';
import { EXIT } from '../../outcome/exit.ts';
import { POLICY_TEST_OPTIONS } from './policy-options.ts';

/**
 * `pulsar-gate-service policy test`: lets people test policy changes in their own CI. The pipe's
 * codes: exit 0 on allow, 1 on deny (DENIED), 4 on pending (what the pipe would do: wait
 * until its timeout), 2 when the options or files are not usable.
 */
export async function policyTestCommand(flags: OptionSource['flags'], io: Io): Promise<number> {
  return endThroughTable('policy test', 'policy', io.write, async () => {
    const options = mustRead(POLICY_TEST_OPTIONS, { flags, env: io.env }, [], 'policy test options');
    const { decision, text } = await testPolicyRequest(options.policyDir, options.request, systemClock);
    io.write(text.endsWith('\n') ? text : `${text}\n`);
    if (decision.verdict === 'allow') return EXIT.allowed;
    return decision.verdict === 'deny' ? outcomeOf('DENIED', 'policy').exit : EXIT.timeout;
  });
}
