import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';

/**
 * What deciding one request message comes to: a signed answer to publish on the reply topic
 * derived from the request topic (src/service/reply-topics.ts), or a dead letter.
 */
export type Outcome =
  | {
      readonly kind: 'decided';
      readonly requestId: string;
      readonly jws: string;
      readonly facts: DecisionFacts;
      /** The request was decided before: this hands out that decision again. */
      readonly redelivered: boolean;
      /**
       * A `pending` gate-mode request's reply key (public): the approvals that settle it later
       * encrypt the gate token of their allow to it (issue 14 with issue 16).
       */
      readonly replyKey?: ReplyEncryptionKey | undefined;
    }
  /** Not a request we can answer: dead-letter it with the reason. */
  | { readonly kind: 'poison'; readonly reason: string };
