import type { DecisionFacts } from '../decision/decision-facts.ts';
import type { ReplyEncryptionKey } from '../events/request-event.ts';
import type { Transport } from '../transport/transport.ts';
import type { DecisionLogEntry } from './decision-log.ts';
import type { Metrics } from './metrics.ts';
import type { DeciderPorts } from './ports.ts';
import type { ReservedTopic } from './reply-routes.ts';
import type { ReplyTemplate } from './reply-template.ts';

export interface ServiceOptions {
  readonly transport: Transport;
  readonly topics: readonly string[];
  readonly subscription: string;
  readonly deadLetterTopic: (topic: string) => string;
  /** How the reply topic is derived from a request topic (REPLY_TOPIC_TEMPLATE). */
  readonly replyTemplate: ReplyTemplate;
  /** KEYS_TOPIC, AUDIT_TOPIC: never a reply topic (the request and dead-letter topics neither). */
  readonly reservedTopics: readonly ReservedTopic[];
  readonly ports: DeciderPorts;
  readonly metrics: Metrics;
  /** Messages decided at once by this replica, over all its request topics together (CONCURRENCY). */
  readonly concurrency: number;
  readonly decisionLog: (entry: DecisionLogEntry) => void;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** A `pending` decision was published: open the request for approvers (src/approvals/desk.ts). */
  readonly pending?: (
    facts: DecisionFacts,
    jws: string,
    replyTopic: string,
    replyKey: ReplyEncryptionKey | undefined,
  ) => Promise<void>;
}

export interface RunningService {
  readonly ready: () => boolean;
  /** The request topics consumed now. */
  readonly topics: () => readonly string[];
  /**
   * Consumes exactly `next` from now on (TOPICS reloaded on SIGHUP; topic-consumers.ts):
   * nothing in flight is dropped. Reply topics that conflict (CONFIG_INVALID) or a topic the
   * broker refuses change nothing and reject.
   */
  setTopics(next: readonly string[]): Promise<{ added: string[]; removed: string[] }>;
  /** Graceful stop: no new messages, in-flight ones finished and acknowledged, then close. */
  stop(): Promise<void>;
}
