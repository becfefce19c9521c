import { testPolicyRequest } from '../../../src/policy/policy-test.ts';
import { systemClock } from '../../../src/time.ts';
import type { Io } from '../../io.ts';

/**
 * `pulsar-gate policy test`: lets people test policy changes in their own CI. Exit 0 on
 * allow, 1 on deny, 4 on pending (the pipe's codes), 2 when the files are not usable.
 */
export async function policyTestCommand(
  options: { policyDir: string; request: string },
  io: Io,
): Promise<number> {
  try {
    const { decision, text } = await testPolicyRequest(options.policyDir, options.request, systemClock);
    io.write(text.endsWith('\n') ? text : `${text}\n`);
    return decision.verdict === 'allow' ? 0 : decision.verdict === 'deny' ? 1 : 4;
  } catch (error) {
    for (const line of (error instanceof Error ? error.message : String(error)).split('\n'))
      io.write(`✖ policy test: ${line}\n`);
    return 2;
  }
}
