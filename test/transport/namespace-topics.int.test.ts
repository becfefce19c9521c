// What a TOPICS pattern costs in grants, on the real broker with authorization on: listing a
// namespace is refused to a role with grants on its topics only, and allowed with consume on
// the namespace (docs/operations.md, "TOPICS: topics and patterns").
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { namespaceTopics } from '../../src/transport/namespace-topics.ts';
import { brokerAdmin, brokerInfo } from '../support/broker.ts';
import { grantService, roleToken } from '../support/grants.ts';
import { topicName } from './contract.ts';

describe('listing a namespace for a TOPICS pattern', () => {
  it('needs consume on the namespace: topic grants are not enough, and a refusal is PULSAR_NOT_PERMITTED', async (context) => {
    const role = `pattern-${randomUUID()}`;
    const topic = topicName('listed');
    await grantService({ topic, replyTopic: `${topic}-replies` }, role);
    const list = namespaceTopics(brokerInfo().webSocketUrl, await roleToken(role));
    const before = await list('persistent', 'public/default').then(
      () => 'listed',
      (error: unknown) => (isGateError(error, 'PULSAR_NOT_PERMITTED') ? 'refused' : String(error)),
    );
    if (before === 'listed') {
      console.warn(
        'namespace listing: skipped, this broker does not enforce authorization (a container broker)',
      );
      context.skip();
    }
    expect(before).toBe('refused');
    await brokerAdmin().grantNamespacePermission('public/default', role, ['consume']);
    expect(await list('persistent', 'public/default')).toContain(topic);
  }, 60_000);

  it('says 401 for a token the broker does not know', async (context) => {
    const list = namespaceTopics(brokerInfo().webSocketUrl, 'not-a-token');
    const error = await list('persistent', 'public/default').catch((e: unknown) => e);
    if (!isGateError(error)) {
      console.warn('namespace listing: skipped, this broker does not authenticate');
      context.skip();
    }
    expect(isGateError(error, 'PULSAR_AUTH')).toBe(true);
  });
});
