import type { IncomingMessage, ServerResponse } from 'node:http';
import { approvalsApi } from '../../src/approvals/approvals-api.ts';
import { approvalsPage } from '../../src/approvals/approvals-page.ts';
import { readApproverMaps } from '../../src/approvals/approver-maps.ts';
import { createApproverVerifier } from '../../src/approvals/approver-token.ts';
import type { ApprovalDesk } from '../../src/approvals/desk.ts';
import { loadRecordSeal, swappableSeal } from '../../src/approvals/load-record-seal.ts';
import { webhookNotifier } from '../../src/approvals/notify-webhook.ts';
import { openApprovalDesk } from '../../src/approvals/open-desk.ts';
import { PageSessions } from '../../src/approvals/page-sessions.ts';
import { pageSignIn } from '../../src/approvals/page-sign-in.ts';
import type { SettlePorts } from '../../src/approvals/settle.ts';
import type { DecisionFacts } from '../../src/decision/decision-facts.ts';
import type { ReplyEncryptionKey } from '../../src/events/request-event.ts';
import { type DecisionLogEntry, decisionLogEntry } from '../../src/service/decision-log.ts';
import { PublisherCache } from '../../src/service/reply-publishers.ts';
import { systemClock } from '../../src/time.ts';
import type { Transport } from '../../src/transport/transport.ts';
import type { ApprovalsConfig } from './approvals-config.ts';

export interface ServedApprovals {
  readonly desk: ApprovalDesk;
  /** serve.ts's `pending` hook. */
  pending(
    facts: DecisionFacts,
    jws: string,
    replyTopic: string,
    replyKey: ReplyEncryptionKey | undefined,
  ): Promise<void>;
  /** http.ts's `approvals` handler. */
  http(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>;
  /** SIGHUP: the records' key and key set, groups.json's `approvers` and APPROVER_MAP read again; says what is in force. */
  reload(): Promise<string>;
  close(): Promise<void>;
}

/** The approvals desk `serve` runs when APPROVER_ISSUER is set (README: "Approvals"). */
export async function openApprovals(
  config: ApprovalsConfig,
  wiring: {
    readonly transport: Transport;
    /** SIGNING_KEY_FILE: approval records are sealed with it and the key set beside it (load-record-seal.ts). */
    readonly signingKeyFile: string;
    readonly policyDir: string;
    readonly allowInsecureIssuer: boolean;
    readonly settle: SettlePorts;
    readonly log: (level: string, message: string) => void;
  },
): Promise<ServedApprovals> {
  const readMaps = () => readApproverMaps(wiring.policyDir, config.mapFile);
  const readSeal = () => loadRecordSeal(wiring.signingKeyFile, wiring.settle.clock.now);
  let maps = await readMaps();
  const seal = swappableSeal(await readSeal());
  const verifier = createApproverVerifier({
    issuer: config.issuer,
    audiences: config.clientIds,
    groupsClaim: config.groupsClaim,
    bitbucketClaim: config.bitbucketClaim,
    maps: () => maps,
    allowInsecureIssuer: wiring.allowInsecureIssuer,
  });
  const opened = await openApprovalDesk({
    transport: wiring.transport,
    topicName: config.topic,
    seal: seal.port,
    verifier,
    rules: { allowUnmapped: config.allowUnmapped },
    settle: wiring.settle,
    windowMs: config.windowSeconds * 1000,
    pageUrl: config.pageUrl,
    warn: (message) => wiring.log('warn', message),
    ...(config.webhookUrl
      ? { notify: webhookNotifier(config.webhookUrl, (message) => wiring.log('warn', message)) }
      : {}),
  });
  const { desk } = opened;
  return {
    desk,
    pending: (facts, jws, replyTopic, replyKey) => desk.opened(facts, jws, replyTopic, replyKey),
    http: pageOrApi(desk, config, wiring.allowInsecureIssuer),
    reload: async () => {
      // Both read before either is swapped: a broken file keeps what is in force.
      const [nextMaps, nextSeal] = await Promise.all([readMaps(), readSeal()]);
      maps = nextMaps;
      seal.swap(nextSeal);
      const groups = `${maps.groups.size} approver group${maps.groups.size === 1 ? '' : 's'} mapped`;
      return `sealing records with ${nextSeal.kid}, ${groups}, ${maps.accounts.size} account${maps.accounts.size === 1 ? '' : 's'}`;
    },
    close: opened.close,
  };
}

/** With APPROVALS_URL, the page (and the API under it); without, the API alone. */
function pageOrApi(
  desk: ApprovalDesk,
  config: ApprovalsConfig,
  allowInsecure: boolean,
): ServedApprovals['http'] {
  const pageUrl = config.pageUrl;
  if (pageUrl === undefined) return (request, response, path) => approvalsApi(desk, request, response, path);
  const parts = {
    desk,
    pageUrl,
    sessions: new PageSessions(Date.now),
    signIn: pageSignIn({
      issuer: config.issuer,
      clientId: config.clientIds[0] ?? '',
      clientSecret: config.clientSecret,
      redirectUri: `${pageUrl}/callback`,
      allowInsecure,
    }),
  };
  return (request, response, path) => approvalsPage(parts, request, response, path);
}

/** How the desk answers pipes: this replica's signer, decisions topic, trail and reply producers. */
export function settlePorts(parts: {
  readonly transport: Transport;
  readonly signer: SettlePorts['signer'];
  readonly replay: SettlePorts['replay'];
  readonly audit: SettlePorts['audit'] | false | undefined;
  readonly config: { readonly decisionTtlSeconds: number };
  readonly writeDecision: (entry: DecisionLogEntry) => void;
  readonly gateIssuer?: SettlePorts['gateIssuer'];
}): SettlePorts {
  const replies = new PublisherCache(parts.transport);
  return {
    signer: parts.signer,
    replay: parts.replay,
    ...(parts.audit ? { audit: parts.audit } : {}),
    ...(parts.gateIssuer ? { gateIssuer: parts.gateIssuer } : {}),
    reply: async (topic, requestId, jws) => {
      await replies.publish(topic, jws, { correlationId: requestId });
    },
    clock: systemClock,
    decisionTtlMs: parts.config.decisionTtlSeconds * 1000,
    decided: (facts) => parts.writeDecision(decisionLogEntry(facts, { redelivered: false, totalMs: 0 })),
  };
}
