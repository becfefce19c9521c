// `npm run demo`, the approvals part (issue 16): a provision of production from main is
// `pending` (examples/policies: prod-provision wants a release manager); the pipe waits and
// prints the link; a release manager, signed in at a local stand-in for the organisation's
// IdP, approves through serve's approvals API, and the pipe goes on.
import { startPeopleIdp } from '../test/peers/people/idp.ts';
import type { PipeRun } from '../test/support/run-pipe.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const RELEASE_MANAGER = {
  sub: 'rita',
  name: 'Rita Release',
  groups: ['release-managers'],
  bitbucket: '{7e1ea5e0-0000-4000-8000-00000000000a}',
};

export async function startApprovalDemo() {
  const idp = await startPeopleIdp();
  return {
    /** What `serve` needs to take approvals (README, "Approvals"). */
    serveEnv: {
      APPROVER_ISSUER: idp.issuer,
      APPROVER_CLIENT_ID: idp.clientId,
      APPROVER_BITBUCKET_CLAIM: 'bitbucket_account',
      APPROVALS_URL: 'https://gate.example/approvals',
    },
    /** Runs the pending step with `pipe` and approves it once it waits; 0 when it ends as expected. */
    async run(health: string, pipe: () => Promise<PipeRun>): Promise<number> {
      say('\n── step "Provision production" on branch main: needs a release manager ─────────────────');
      const running = pipe();
      const token = await idp.idToken(RELEASE_MANAGER);
      const api = `${health}/approvals/api/requests`;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      let waiting: { requestId: string; requestDigest: string } | undefined;
      for (let i = 0; i < 200 && waiting === undefined; i++) {
        const listed = (await (await fetch(api, { headers })).json()) as { requests: (typeof waiting)[] };
        waiting = listed.requests[0];
        if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (waiting === undefined) return 1;
      say(`  (${RELEASE_MANAGER.name}, signed in at the IdP, approves request ${waiting.requestId})`);
      await fetch(`${api}/${waiting.requestId}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ requestDigest: waiting.requestDigest, decision: 'approve', comment: 'demo' }),
      });
      const run = await running;
      process.stdout.write(run.output.replace(/^/gm, '  '));
      say(`  (exit ${run.code}: ${run.code === 0 ? 'approved: the step continues' : 'the step stops here'})`);
      return run.code === 0 ? 0 : 1;
    },
    close: () => idp.close(),
  };
}
