import type { DecisionRecord } from './decision-record.ts';

/** What deciding one request message comes to: a signed answer to publish, or a dead letter. */
export type Outcome =
  | {
      readonly kind: 'decided';
      readonly replyTopic: string;
      readonly requestId: string;
      readonly jws: string;
      readonly record: DecisionRecord;
    }
  /** Not a request we can answer: dead-letter it with the reason. */
  | { readonly kind: 'poison'; readonly reason: string };
