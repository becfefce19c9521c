// The topic permissions of README "Configure your Pulsar cluster", made through the admin REST
// API as an operator's pulsar-admin would: per role, per topic, nothing namespace-wide.
import { approvalsTopicFor } from '../../../src/approvals/approvals-topic-name.ts';
import { decisionsTopicFor } from '../../../src/service/decisions-topic.ts';
import { type PulsarAdmin, pulsarAdmin } from './admin.ts';
import { mintToken } from './tokens.ts';
import type { BrokerInfo } from './types.ts';

const adminOf = (broker: BrokerInfo): PulsarAdmin => pulsarAdmin(broker.adminUrl, broker.adminToken);

/** The decision service's role in the tests (a token-provider role; see issue 5 §3 for OAuth2). */
export const SERVICE_ROLE = 'pulsar-gate-service';

export interface GateTopics {
  readonly topic: string;
  readonly replyTopic: string;
  /** Where the service's replicas record decisions (default: `serve`'s, from `topic`'s namespace). */
  readonly decisionsTopic?: string;
}

async function ensureTopic(admin: PulsarAdmin, topic: string): Promise<void> {
  await admin.createTopic(topic).catch((error: unknown) => {
    if (!(error instanceof Error && 'status' in error && error.status === 409)) throw error;
  });
}

/** A repository may publish requests and read replies; nothing else. */
export async function grantRepository(
  broker: BrokerInfo,
  role: string,
  topics: GateTopics,
  only?: 'produce' | 'consume',
): Promise<void> {
  const admin = adminOf(broker);
  await Promise.all([ensureTopic(admin, topics.topic), ensureTopic(admin, topics.replyTopic)]);
  if (only !== 'consume') await admin.grantTopicPermission(topics.topic, role, ['produce']);
  if (only !== 'produce') await admin.grantTopicPermission(topics.replyTopic, role, ['consume']);
}

/**
 * The service consumes requests, and alone publishes decisions and dead letters; its
 * replicas record and read every decision on the decisions topic (produce and consume).
 */
export async function grantService(
  broker: BrokerInfo,
  topics: GateTopics,
  role = SERVICE_ROLE,
): Promise<void> {
  const admin = adminOf(broker);
  const dlq = `${topics.topic}-dlq`;
  const decisions = decisionsTopicFor(topics.decisionsTopic, [topics.topic]);
  // Where replicas share pending requests and approvals (issue 16), when serve takes approvals.
  const approvals = approvalsTopicFor(undefined, decisions);
  await Promise.all(
    [topics.topic, topics.replyTopic, dlq, decisions, approvals].map((t) => ensureTopic(admin, t)),
  );
  await admin.grantTopicPermission(topics.topic, role, ['consume']);
  await admin.grantTopicPermission(topics.replyTopic, role, ['produce']);
  await admin.grantTopicPermission(dlq, role, ['produce']);
  await admin.grantTopicPermission(decisions, role, ['produce', 'consume']);
  await admin.grantTopicPermission(approvals, role, ['produce', 'consume']);
}

/** A token-provider token for `role`, signed with the test broker's secret. */
export async function roleToken(role: string, broker: BrokerInfo): Promise<string> {
  const secret = broker.tokenSecret;
  if (secret === undefined) throw new Error('the broker did not share its token secret');
  return mintToken(secret, role);
}
