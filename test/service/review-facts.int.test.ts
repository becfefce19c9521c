// Issue 19 §2 end to end: the real broker, the decision service in process with
// BITBUCKET_REVIEW's facts against the Bitbucket API peer over HTTP, the sample policies, and
// `pulsar-gate-service webhooks` as a process feeding the review cache's invalidation.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { bitbucketReviewFacts } from '../../src/bitbucket/review-facts.ts';
import { followReviewEvents } from '../../src/service/review-events.ts';
import { systemClock } from '../../src/time.ts';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import type { PeerPullRequest } from '../peers/bitbucket/server.ts';
import { type BitbucketSite, bitbucketSite } from '../peers/bitbucket/site.ts';
import { pullRequestPayload } from '../peers/bitbucket/webhook-payloads.ts';
import { webhookSender } from '../peers/bitbucket/webhook-sender.ts';
import { siteFacts } from '../support/bitbucket.ts';
import { brokerInfo } from '../support/broker.ts';
import { type ServiceFixture, serviceFixture, WEEKDAY } from '../support/service-fixture.ts';
import { spawnWebhooks, type WebhooksProcess } from '../support/webhooks-process.ts';
import { topicName } from '../transport/contract.ts';
import { ALICE, BOB } from '../webhooks/fixtures.ts';

const CAROL = {
  uuid: '{99cc00dd-bbee-4fff-8000-112233445566}',
  accountId: '712020:c',
  displayName: 'Carol Checker',
};
const SECRET = `whsec-${randomUUID()}`;
const prTopic = topicName('review-prs');

let site: BitbucketSite;
let fx: ServiceFixture;
let running: { stop(): Promise<void> };
let hooks: WebhooksProcess;
let events: { stop(): Promise<void> };
let transport: WebSocketTransport;
let nextPr = 1;

beforeAll(async () => {
  site = await bitbucketSite();
  const get = bitbucketHttp({ baseUrl: site.url, accessToken: async () => site.token, timeoutMs: 2_000 });
  const reviews = bitbucketReviewFacts({ get, ttlMs: 300_000, clock: systemClock });
  fx = await serviceFixture({ now: WEEKDAY, facts: { ...(await siteFacts()), review: reviews.review } });
  running = await fx.start();
  const broker = brokerInfo();
  const dir = await mkdtemp(join(tmpdir(), 'review-'));
  await writeFile(join(dir, 'secret'), SECRET);
  hooks = spawnWebhooks({
    PULSAR_URL: broker.webSocketUrl,
    ...(broker.adminToken === undefined ? {} : { PULSAR_TOKEN: broker.adminToken }),
    WEBHOOK_SECRET_FILE: join(dir, 'secret'),
    WEBHOOK_TOPICS: `pullrequest:*=${prTopic}`,
  });
  await hooks.ready;
  transport = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });
  events = await followReviewEvents({ transport, topic: prTopic, forget: reviews.forget, log: () => {} });
}, 120_000);
afterAll(async () => {
  await events?.stop();
  await transport?.close();
  await hooks?.stop();
  await running?.stop();
  await fx?.close();
});

/** A production step on main for a commit of its own, as Bitbucket ran it. */
async function productionStep(): Promise<{ token: string; commit: string }> {
  const commit = randomBytes(20).toString('hex');
  return { token: await rerun(commit), commit };
}

function merged(commit: string, approvers: Array<typeof BOB>): PeerPullRequest {
  return {
    id: nextPr++,
    title: 'Change',
    author: ALICE,
    source: 'feature/change',
    destination: 'main',
    state: 'MERGED',
    mergeCommit: commit.slice(0, 12),
    commits: [commit],
    participants: approvers.map((user) => ({ user, role: 'REVIEWER' as const, approved: true })),
  };
}

const repository = () => ({
  workspaceUuid: fx.issuer.workspaceUuid,
  repositoryUuid: fx.issuer.repositoryUuid,
});

describe('code review as a verified fact, through the decision service', () => {
  it('allows production for a commit merged through a pull request two non-authors approved, and denies one approval', async () => {
    const two = await productionStep();
    site.peer.addPullRequest(repository(), merged(two.commit, [BOB, CAROL]));
    const allowed = await fx.ask({ token: two.token });
    expect(allowed.decision).toMatchObject({ verdict: 'allow', policy: { ids: ['prod-deploy'] } });
    const one = await productionStep();
    site.peer.addPullRequest(repository(), merged(one.commit, [BOB]));
    const denied = await fx.ask({ token: one.token });
    expect(denied.decision?.verdict).toBe('deny');
    expect(denied.decision?.failedPath).toBe('policy prod-needs-review');
    expect(denied.decision?.reasons[0]).toContain('approved by at least two people other than its author');
  });

  it('a step cannot borrow another commit’s review by declaring it', async () => {
    const reviewed = await productionStep();
    site.peer.addPullRequest(repository(), merged(reviewed.commit, [BOB, CAROL]));
    const unreviewed = await productionStep();
    const { decision } = await fx.ask({ token: unreviewed.token, declare: { commit: reviewed.commit } });
    expect(decision?.verdict).toBe('deny');
    expect(decision?.reasons[0]).toContain(reviewed.commit);
  });

  it('pull request look-ups failing: a signed deny naming Bitbucket’s API', async () => {
    const step = await productionStep();
    site.peer.fail('pullrequests', 503);
    try {
      const { decision } = await fx.ask({ token: step.token });
      expect(decision?.verdict).toBe('deny');
      expect(decision?.failedPath).toBe("Bitbucket's REST API (BITBUCKET_UNAVAILABLE)");
      expect(decision?.reasons[0]).toContain(`could not look up the pull requests of commit ${step.commit}`);
    } finally {
      site.peer.fail('pullrequests', null);
    }
  });

  it('a pull request approved after a deny: the webhook event refreshes the cached review, no wait for BITBUCKET_CACHE', async () => {
    const step = await productionStep();
    const pr = merged(step.commit, [BOB]);
    site.peer.addPullRequest(repository(), pr);
    expect((await fx.ask({ token: step.token })).decision?.verdict).toBe('deny');
    // Carol approves: Bitbucket has it at once, the service's cached review (300 s) not yet.
    const both = [BOB, CAROL].map((user) => ({ user, role: 'REVIEWER' as const, approved: true }));
    site.peer.addPullRequest(repository(), { ...pr, participants: both });
    expect((await fx.ask({ token: await rerun(step.commit) })).decision?.verdict).toBe('deny');
    const repo = { uuid: fx.issuer.repositoryUuid, workspace: 'acme', slug: 'payments-api' };
    const sent = await webhookSender(await hooks.ready, SECRET)(
      pullRequestPayload(repo, CAROL, { ...pr, participants: both }, true),
      { eventKey: 'pullrequest:approved' },
    );
    expect(sent.status).toBe(202);
    let verdict: string | undefined;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      verdict = (await fx.ask({ token: await rerun(step.commit) })).decision?.verdict;
      if (verdict === 'allow') break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(verdict).toBe('allow');
  });
});

/** A re-run of the pipeline on the same commit: a new step, a new token. */
async function rerun(commit: string): Promise<string> {
  const pipelineUuid = site.pipeline(repository(), { branch: 'main', commit });
  return fx.issuer.mint({ environment: 'production', branchName: 'main', pipelineUuid });
}
