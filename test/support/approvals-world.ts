import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApproverVerifier } from '../../src/approvals/approver-token.ts';
import type { ApprovalDesk } from '../../src/approvals/desk.ts';
import { openApprovalDesk } from '../../src/approvals/open-desk.ts';
import { type RecordSeal, recordSeal } from '../../src/approvals/record-signing.ts';
import { type Decision, verifyDecision } from '../../src/events/decision.ts';
import { PublisherCache } from '../../src/service/reply-publishers.ts';
import type { Attachment } from '../../src/transport/transport.ts';
import { type PeopleIdp, type Person, startPeopleIdp } from '../peers/people/idp.ts';
import { signedRequest } from './requester.ts';
import { POLICY_DIR, type Replica, serviceFixture } from './service-fixture.ts';

/** Who ran every pipeline of the Bitbucket site peer (test/peers/bitbucket/site.ts). */
export const REQUESTER_UUID = '{77aa88bb-99cc-4ddd-8eee-ff0011223344}';

export const PEOPLE = {
  alice: {
    sub: 'alice',
    name: 'Alice',
    groups: ['release-managers'],
    bitbucket: '{a11ce000-0000-4000-8000-000000000001}',
  },
  bob: {
    sub: 'bob',
    name: 'Bob',
    groups: ['release-managers'],
    bitbucket: '{b0b00000-0000-4000-8000-000000000002}',
  },
  carol: {
    sub: 'carol',
    name: 'Carol',
    groups: ['release-managers'],
    bitbucket: '{ca501000-0000-4000-8000-000000000003}',
  },
  /** In the group, and the person who ran the pipeline. */
  ada: { sub: 'ada', name: 'Ada Admin', groups: ['release-managers'], bitbucket: REQUESTER_UUID },
  mallory: {
    sub: 'mallory',
    name: 'Mallory',
    groups: ['developers'],
    bitbucket: '{3a110000-0000-4000-8000-000000000004}',
  },
  /** In the group, but no Bitbucket account is known for them. */
  nobody: { sub: 'nobody', name: 'Nobody Known', groups: ['release-managers'] },
} satisfies Record<string, Person>;

export const PAGE = 'https://gate.example/approvals';

/** The sample policies with prod-provision asking for two release managers (`@approvals("2")`). */
async function twoApproverPolicies(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pulsar-gate-approvals-'));
  await cp(POLICY_DIR, dir, { recursive: true });
  const file = join(dir, 'provision.cedar');
  const text = await readFile(file, 'utf8');
  await writeFile(
    file,
    text.replace('@approval("release-managers")', '@approval("release-managers")\n@approvals("2")'),
  );
  return dir;
}

/** Real broker, real issuer and Bitbucket peer, real desks on replicas of the service. */
export async function approvalsWorld() {
  const idp = await startPeopleIdp();
  const fx = await serviceFixture({ policyDir: await twoApproverPolicies() });
  const topic = `${fx.decisionsTopic}-approvals`;
  const verifier = createApproverVerifier({
    issuer: idp.issuer,
    audiences: [idp.clientId],
    groupsClaim: 'groups',
    bitbucketClaim: 'bitbucket_account',
    maps: () => ({ groups: new Map(), accounts: new Map() }),
    allowInsecureIssuer: true,
  });

  /** One replica with its approvals desk. */
  async function replica(
    options: { windowMs?: number; seal?: RecordSeal } = {},
  ): Promise<{ replica: Replica; desk: ApprovalDesk }> {
    let desk: ApprovalDesk | undefined;
    const replica = await fx.start(undefined, {
      approvals: async (parts) => {
        const replies = new PublisherCache(parts.transport);
        const opened = await openApprovalDesk({
          transport: parts.transport,
          topicName: topic,
          seal: options.seal ?? (await recordSeal(fx.privateJwk)),
          verifier,
          rules: { allowUnmapped: false },
          settle: {
            signer: parts.signer,
            replay: parts.replay,
            reply: async (to, requestId, jws) => {
              await replies.publish(to, jws, { correlationId: requestId });
            },
            clock: parts.clock,
            decisionTtlMs: 300_000,
            decided: () => {},
          },
          windowMs: options.windowMs ?? 600_000,
          pageUrl: PAGE,
          sweepMs: 500,
          warn: (message) => fx.logs.push(`warn: ${message}`),
        });
        desk = opened.desk;
        return { pending: (f, j, r) => opened.desk.opened(f, j, r), close: opened.close };
      },
    });
    if (desk === undefined) throw new Error('the replica opened no desk');
    return { replica, desk };
  }

  /** A provision request for production from main, as the pipe sends it; its decisions as they come. */
  async function ask() {
    const replies: Attachment = await fx.transport.attach(fx.replyTopic);
    const { event, signed } = await signedRequest(fx.issuer, {
      action: 'provision',
      environment: 'production',
      mint: { branchName: 'main' },
      sealTo: fx.sealTo,
      replyTopic: fx.replyTopic,
    });
    await fx.publishRaw(signed.jws);
    const expect = {
      requestId: event.id,
      requestDigest: signed.requestDigest,
      nonce: event.data.nonce,
      requestKeyThumbprint: signed.keyThumbprint,
    };
    return {
      requestId: event.id,
      requestDigest: signed.requestDigest,
      /** The next decision for this request that verifies, as the pipe would accept it. */
      async next(ms = 15_000): Promise<Decision> {
        const deadline = Date.now() + ms;
        for (;;) {
          const message = await replies.receive(deadline);
          if (message.properties.correlationId !== event.id) continue;
          const result = await verifyDecision(message.payload.toString(), fx.trusted, {
            ...expect,
            now: new Date(),
          });
          if (result.ok) return result.decision;
        }
      },
      /** Decisions until one that is not `pending`; the pending ones' reasons on the way. */
      async until(verdict: 'allow' | 'deny', ms = 20_000): Promise<{ final: Decision; progress: string[] }> {
        const progress: string[] = [];
        for (;;) {
          const d = await this.next(ms);
          if (d.verdict === 'pending') progress.push(...d.reasons);
          else if (d.verdict === verdict) return { final: d, progress };
          else throw new Error(`expected ${verdict}, got ${d.verdict}: ${d.reasons.join('; ')}`);
        }
      },
      close: () => replies.close(),
    };
  }

  const token = (person: Person, options?: Parameters<PeopleIdp['idToken']>[1]) =>
    idp.idToken(person, options);

  return {
    fx,
    idp,
    replica,
    ask,
    token,
    async close() {
      await fx.close();
      await idp.close();
    },
  };
}
