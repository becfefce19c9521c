import { progressLines } from './progress.ts';
import type { OpenedRecord } from './records.ts';
import { actor, publishFinal, publishProgress, type SettlePorts } from './settle.ts';
import type { Standing } from './tally.ts';

/**
 * Tells the waiting pipe where its request stands, every replica's acts read: a progress line
 * while pending (with the page's link), the signed allow once enough people approved, the
 * signed deny naming who rejected and why.
 */
export async function answerPipe(
  settle: SettlePorts,
  opened: OpenedRecord,
  standing: Standing,
  link: string | undefined,
): Promise<void> {
  if (standing.state === 'pending') {
    await publishProgress(settle, opened, progressLines(standing, link));
  } else if (standing.state === 'approved') {
    const who = standing.acts.map(actor).join(', ');
    const { count, groups, policy } = standing.requirement;
    const reasons = [`approved by ${who} (${count} from ${groups.join(' or ')}, policy ${policy})`];
    await publishFinal(settle, opened, { verdict: 'allow', reasons, acts: standing.acts });
  } else if (standing.state === 'rejected') {
    const reasons = [`rejected by ${actor(standing.act)}: ${standing.act.comment}`];
    await publishFinal(settle, opened, { verdict: 'deny', reasons, acts: [standing.act] });
  }
}
