import { approvalsTopicFor } from '../../src/approvals/approvals-topic-name.ts';
import { decisionsTopicFor } from '../../src/service/decisions-topic.ts';
import {
  type ReservedTopic,
  replyTopicConflicts,
  serviceReservedTopics,
  serviceTopics,
} from '../../src/service/reply-routes.ts';
import { anchorTopic, parseTopicEntry } from '../../src/service/topic-patterns.ts';
import { adminUrlOf } from '../../src/transport/namespace-topics.ts';
import type { Problem, Rule } from '../options/spec.ts';
import { approverClientRequired } from './approval-options.ts';
import { oneFactSource } from './bitbucket-options.ts';
import type { ServeOptions } from './serve-options.ts';

const OAUTH = ['oauthIssuer', 'oauthClientId', 'oauthClientSecret'] as const;

/** All of issuer, client id and secret, or none; never together with PULSAR_TOKEN. */
const oauthComplete: Rule<ServeOptions> = (v) => {
  if (OAUTH.every((key) => v[key] === undefined)) return [];
  const problems: Problem<ServeOptions>[] = OAUTH.filter((key) => v[key] === undefined).map((key) => ({
    key,
    issue: 'is required with the other OAUTH_ options',
  }));
  if (v.pulsarToken !== undefined)
    problems.push({ key: 'pulsarToken', issue: 'cannot be used with OAUTH_ISSUER; choose one' });
  return problems;
};

/** http:// issuers only where ALLOW_INSECURE_ISSUER says so (tests); their keys could be swapped in transit. */
const secureIssuers: Rule<ServeOptions> = (v) => {
  if (v.allowInsecureIssuer !== false) return [];
  const insecure = (url: string): boolean => !/^https:\/\//i.test(url);
  return [
    ...(v.issuers ?? [])
      .filter(insecure)
      .map((url) => ({ key: 'issuers' as const, issue: `${url} is not an https:// URL` })),
    ...(v.oauthIssuer !== undefined && insecure(v.oauthIssuer)
      ? [{ key: 'oauthIssuer' as const, issue: `${v.oauthIssuer} is not an https:// URL` }]
      : []),
    ...(v.approverIssuer !== undefined && insecure(v.approverIssuer)
      ? [{ key: 'approverIssuer' as const, issue: `${v.approverIssuer} is not an https:// URL` }]
      : []),
  ];
};

/** A mirror without STATE_DIR is refused rather than dropped: no outbox would survive a restart. */
const mirrorsNeedStateDir: Rule<ServeOptions> = (v) =>
  v.stateDir !== undefined
    ? []
    : (['auditTopic', 'auditS3Bucket'] as const)
        .filter((key) => v[key] !== undefined)
        .map((key) => ({ key, issue: 'needs STATE_DIR (the audit trail and its outbox live there)' }));

/**
 * No request topic's reply topic is the keys, audit, a request or a dead-letter topic (issue
 * 13 §2): one line per conflict, naming both topics. `startService` checks it again.
 */
const replyTopicsFree: Rule<ServeOptions> = (v) => {
  if (v.topics === undefined || v.replyTopicTemplate === undefined || v.deadLetterSuffix === undefined)
    return [];
  const suffix = v.deadLetterSuffix;
  const entries = v.topics.map(parseTopicEntry);
  // Topics a pattern matches are known only at run time: startService checks them then.
  const topics = entries.flatMap((e) => (e.kind === 'topic' ? [e.full] : []));
  const reserved: ReservedTopic[] = [
    ...serviceReservedTopics(
      v.keysTopic,
      v.auditTopic,
      decisionsTopicFor(v.decisionsTopic, entries.map(anchorTopic)),
    ),
    {
      role: 'APPROVALS_TOPIC',
      topic: approvalsTopicFor(
        v.approvalsTopic,
        decisionsTopicFor(v.decisionsTopic, entries.map(anchorTopic)),
      ),
    },
    ...serviceTopics(topics, (topic) => `${topic}${suffix}`),
  ];
  return replyTopicConflicts(v.replyTopicTemplate, topics, reserved).map((issue) => ({
    key: 'replyTopicTemplate' as const,
    issue,
    value: v.replyTopicTemplate?.text,
  }));
};

/** Patterns are listed through the admin REST API: a pulsar:// PULSAR_URL does not serve it. */
const patternsNeedAdminUrl: Rule<ServeOptions> = (v) =>
  v.pulsarUrl !== undefined &&
  adminUrlOf(v.pulsarUrl, v.pulsarAdminUrl) === undefined &&
  (v.topics ?? []).some((t) => parseTopicEntry(t).kind === 'pattern')
    ? [{ key: 'pulsarAdminUrl', issue: 'is required for a TOPICS pattern with a pulsar:// PULSAR_URL' }]
    : [];

export const SERVE_RULES: readonly Rule<ServeOptions>[] = [
  patternsNeedAdminUrl,
  oauthComplete,
  secureIssuers,
  mirrorsNeedStateDir,
  oneFactSource,
  replyTopicsFree,
  approverClientRequired,
];
