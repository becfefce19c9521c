import type { VerifiedApprover } from '../decision/approval-facts.ts';
import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';
import { answerPipe } from './answer-pipe.ts';
import type { ApprovalsTopic } from './approvals-topic.ts';
import type { ApproverVerifier } from './approver-token.ts';
import type { ApprovalBook, Entry } from './book.ts';
import { type ActRequest, type Refusal, type Rules, refusal } from './judge.ts';
import { openedRecord } from './opened-record.ts';
import type { OpenedRecord } from './records.ts';
import { publishFinal, type SettlePorts } from './settle.ts';
import type { Standing } from './tally.ts';

export interface DeskParts {
  readonly topic: ApprovalsTopic;
  readonly book: ApprovalBook;
  readonly verifier: ApproverVerifier;
  readonly rules: Rules;
  readonly settle: SettlePorts;
  /** APPROVAL_WINDOW: how long after a request became pending approvals are accepted. */
  readonly windowMs: number;
  /** Where people approve: `<APPROVALS_URL>/<request id>` is each request's page. */
  readonly pageUrl: string | undefined;
  /** Told once per request that became pending (the notification webhook). */
  readonly notify?: (opened: OpenedRecord, link: string | undefined) => void;
}

export type ActResult =
  | { readonly ok: true; readonly standing: Standing; readonly message: string }
  | ({ readonly ok: false } & Refusal);

/**
 * Where people meet pending requests (P8, docs/design.md §7): `serve` opens one for each
 * `pending` decision; an approver's act is verified from their ID token, judged against the
 * request, signed and recorded on the approvals topic; the replica that recorded it then
 * reads every replica's acts, and answers the waiting pipe — progress, or the final verdict.
 */
export class ApprovalDesk {
  readonly #p: DeskParts;
  /** Requests this replica denied for their closed window (each replica tries once; one deny stands). */
  readonly #swept = new Set<string>();

  constructor(parts: DeskParts) {
    this.#p = parts;
  }

  get healthy(): boolean {
    return this.#p.topic.healthy;
  }

  now(): number {
    return this.#p.settle.clock.now();
  }

  link(requestId: string): string | undefined {
    return this.#p.pageUrl === undefined ? undefined : `${this.#p.pageUrl}/${encodeURIComponent(requestId)}`;
  }

  /** A request was decided `pending` and that decision published: open it for approvers. */
  async opened(
    facts: DecisionFacts,
    decisionJws: string,
    replyTopic: string,
    replyKey?: ReplyEncryptionKey,
  ): Promise<void> {
    await this.#p.topic.catchUp();
    if (this.#p.book.get(facts.requestId) === undefined) {
      const at = { replyTopic, replyKey };
      const opened = openedRecord(facts, decisionJws, at, this.now(), this.#p.windowMs);
      if (opened === undefined) return;
      await this.#p.topic.append(opened);
      this.#p.notify?.(opened, this.link(opened.requestId));
    }
    await this.#answer(facts.requestId);
  }

  /** Pending requests, newest state of every replica's acts. */
  async pending(): Promise<Entry[]> {
    await this.#p.topic.catchUp();
    return this.#p.book.pending(this.#p.settle.clock.now());
  }

  /** Who the token's holder is, as verified now; undefined when the token is refused. */
  async whoIs(idToken: string): Promise<VerifiedApprover | undefined> {
    const verified = await this.#p.verifier.verify(idToken);
    return verified.ok ? verified.approver : undefined;
  }

  /** Why this person could not approve the request now (the page then shows no button), if anything. */
  mayApprove(approver: VerifiedApprover, entry: Entry): Refusal | undefined {
    const ask = {
      requestId: entry.opened.requestId,
      requestDigest: entry.opened.requestDigest,
      kind: 'approve' as const,
      comment: '',
    };
    return refusal(entry, ask, approver, this.#p.rules, this.now());
  }

  /** One approver's act: verified, judged, recorded, then the pipe is answered. Never throws for a refusal. */
  async act(idToken: string, ask: ActRequest): Promise<ActResult> {
    const verified = await this.#p.verifier.verify(idToken);
    if (!verified.ok)
      return { ok: false, status: 403, reason: `your ID token was refused: ${verified.message}` };
    const { approver } = verified;
    await this.#p.topic.catchUp();
    const now = this.#p.settle.clock.now();
    const refused = refusal(this.#p.book.get(ask.requestId), ask, approver, this.#p.rules, now);
    if (refused) return { ok: false, ...refused };
    const act = {
      kind: ask.kind,
      approver,
      comment: ask.comment.replace(/\p{Cc}/gu, ' ').slice(0, 500),
      at: new Date(now).toISOString(),
    };
    const entry = this.#p.book.get(ask.requestId) as Entry;
    await this.#p.topic.append({
      kind: 'act',
      requestId: ask.requestId,
      requestDigest: ask.requestDigest,
      act,
    });
    // The act is an audit record of its own: who, their verified groups, when, and why.
    if (this.#p.settle.audit)
      await this.#p.settle.audit.write({ ...entry.opened.facts, act, decidedAt: act.at }, false);
    const standing = await this.#answer(ask.requestId);
    return {
      ok: true,
      standing,
      message: `${ask.kind === 'approve' ? 'approved' : 'rejected'}: request ${ask.requestId} is ${standing.state}`,
    };
  }

  /**
   * A request whose window closed before anyone settled it gets a signed deny, so its pipe
   * stops now rather than at its TIMEOUT (fail closed, and no build minutes spent waiting).
   * Every replica sweeps; the decisions topic keeps the first final record, the rest publish
   * that one. Requests that closed more than ten minutes ago are left alone (their pipes are gone).
   */
  async sweep(): Promise<void> {
    await this.#p.topic.catchUp();
    const now = this.now();
    for (const { opened } of this.#p.book.expired(now, 600_000)) {
      if (this.#swept.has(opened.requestId)) continue;
      this.#swept.add(opened.requestId);
      const seconds = Math.round(this.#p.windowMs / 1000);
      const reasons = [`no approval within the ${seconds} s approval window (closed at ${opened.expiresAt})`];
      await publishFinal(this.#p.settle, opened, { verdict: 'deny', reasons, acts: [] });
    }
  }

  /** Tells the waiting pipe where its request stands now (every replica's acts read). */
  async #answer(requestId: string): Promise<Standing> {
    const entry = this.#p.book.get(requestId) as Entry;
    const standing = this.#p.book.standing(requestId, this.#p.settle.clock.now()) as Standing;
    await answerPipe(this.#p.settle, entry.opened, standing, this.link(requestId));
    return standing;
  }
}
