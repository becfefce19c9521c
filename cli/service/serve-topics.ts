import { type ReservedTopic, serviceReservedTopics } from '../../src/service/reply-routes.ts';
import { deriveReplyTopic } from '../../src/service/reply-template.ts';
import type { RunningService } from '../../src/service/service-options.ts';
import { resolveTopics, type TopicEntry } from '../../src/service/topic-patterns.ts';
import { namespaceTopics } from '../../src/transport/namespace-topics.ts';
import { parseTopic } from '../../src/transport/topic.ts';
import type { TokenSource } from '../../src/transport/transport.ts';
import type { ServeConfig } from './serve-config.ts';

/**
 * Every topic the service writes or reads for a reason of its own: never a request topic, and
 * never where a reply may land (checked at start and again per message). One list, so the
 * pattern resolver and the reply routes cannot disagree about it.
 */
export function ownTopics(config: ServeConfig): ReservedTopic[] {
  const reviewEvents = config.bitbucket.kind === 'api' ? config.bitbucket.reviewEventsTopic : undefined;
  return [
    ...serviceReservedTopics(config.keysTopic, config.audit?.topic, config.decisionsTopic),
    ...(config.approvals ? [{ role: 'APPROVALS_TOPIC', topic: config.approvals.topic }] : []),
    ...(reviewEvents ? [{ role: 'REVIEW_EVENTS_TOPIC', topic: reviewEvents }] : []),
  ].map(({ role, topic }) => ({ role, topic: parseTopic(topic).full }));
}

/**
 * The request topics TOPICS names now, with the service's own credential: its patterns listed
 * in their namespaces, leaving out every topic the service writes or reads for another reason
 * (keys, audit, decisions, approvals, review events, dead-letter topics) and every reply topic of another match.
 */
export function requestTopics(
  config: ServeConfig,
  token: TokenSource | undefined,
): (entries: readonly TopicEntry[]) => Promise<string[]> {
  const list =
    config.adminUrl === undefined
      ? async () => {
          throw new Error('a TOPICS pattern needs PULSAR_ADMIN_URL'); // the options' rules stop this first
        }
      : namespaceTopics(config.adminUrl, token);
  const reserved = new Set(ownTopics(config).map((t) => t.topic));
  const skip = (full: string): boolean => {
    const local = full.slice(full.lastIndexOf('/') + 1);
    return reserved.has(full) || local.endsWith(config.deadLetterSuffix);
  };
  const replyOf = (full: string): string | undefined => {
    try {
      return deriveReplyTopic(config.replyTemplate, full).full;
    } catch {
      return undefined;
    }
  };
  return (entries) => resolveTopics(entries, list, { skip, replyOf });
}

/**
 * SIGHUP's part for TOPICS: the configuration read again (variables, flags, and the config
 * file, which is where a running service's TOPICS can change), its topics resolved, and the
 * service switched to them. Any failure keeps the topics in force and says why.
 */
export async function reloadTopics(
  service: Pick<RunningService, 'topics' | 'setTopics'>,
  next: () => Promise<readonly string[]>,
  log: (level: 'info' | 'error', message: string) => void,
): Promise<void> {
  try {
    const { added, removed } = await service.setTopics(await next());
    const change = [...added.map((t) => `+${t}`), ...removed.map((t) => `-${t}`)].join(' ') || 'no change';
    log('info', `topics reloaded (${change}): serving ${service.topics().join(', ')}`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    log('error', `topics reload failed, keeping ${service.topics().join(', ')}: ${why}`);
  }
}
