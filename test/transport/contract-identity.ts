// The contract's authentication cases: the step's own OIDC token and the service's OAuth 2.0
// client-credentials token, each let in by the broker's topic grants (issue 5), on any transport.

import { describe, expect, it } from 'vitest';
import type { TokenSource, Transport } from '../../src/transport/transport.ts';
import { clientTokenSource } from '../peers/oauth/client-token-source.ts';
import { issuerForRepository } from '../peers/oidc/shared-issuer.ts';
import { brokerAdmin, brokerInfo } from '../support/broker.ts';
import { grantRepository, grantService } from '../support/grants.ts';
import { topicName } from './contract.ts';

const soon = (ms: number): number => Date.now() + ms;

async function roundTrip(transport: Transport, produceOn: string, consumeOn: string): Promise<string> {
  const attachment = await transport.attach(consumeOn);
  const publisher = await transport.publisher(produceOn);
  try {
    if (produceOn === consumeOn) {
      await publisher.publish({ payload: 'as-myself' });
      return (await attachment.receive(soon(10_000))).payload.toString();
    }
    return 'published';
  } finally {
    await Promise.allSettled([publisher.close(), attachment.close()]);
  }
}

/** Authentication as the pipe and as the service authenticate, through `openAs`. */
export function identityContract(name: string, openAs: (token: TokenSource) => Promise<Transport>): void {
  const identity = brokerInfo().identity;
  if (identity === undefined)
    console.warn(`[skipped] ${name} OIDC/OAuth contract: the broker does not trust the tests' issuers`);
  describe.skipIf(identity === undefined)(`${name} transport contract: who the broker lets in`, () => {
    it("the step's OIDC token (Bitbucket-shaped, no nbf) is its repository's role: granted topics only", async () => {
      if (identity === undefined) return;
      const issuer = await issuerForRepository(identity.bitbucket);
      const topic = topicName('oidc-step');
      // Both actions on one topic, in one grant (a second grant would replace the first).
      await brokerAdmin().createTopic(topic);
      await brokerAdmin().grantTopicPermission(topic, issuer.repositoryUuid, ['produce', 'consume']);
      const transport = await openAs(await issuer.mint({ environment: 'staging' }));
      try {
        expect(await roundTrip(transport, topic, topic)).toBe('as-myself');
        const elsewhere = topicName('oidc-not-granted');
        await grantRepository('someone-else', { topic: elsewhere, replyTopic: elsewhere });
        const refused = await transport.publisher(elsewhere).catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: 'PULSAR_NOT_PERMITTED' });
      } finally {
        await transport.close();
      }
    });

    it("the service's OAuth client-credentials token, fetched by a function, is the service's role", async () => {
      if (identity === undefined) return;
      const { source } = clientTokenSource(identity.service, identity.service.clients.service);
      let asked = 0;
      const topic = topicName('oauth-service');
      await grantService({ topic, replyTopic: `${topic}-replies` }, identity.service.role);
      const transport = await openAs(async () => {
        asked++;
        return source();
      });
      try {
        // The service consumes requests and publishes replies; it may not publish requests.
        const requests = await transport.subscribe(topic, 'service', { type: 'Shared' });
        await expect(roundTrip(transport, `${topic}-replies`, topic)).resolves.toBe('published');
        await requests.close();
        const refused = await transport.publisher(topic).catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: 'PULSAR_NOT_PERMITTED' });
        expect(asked).toBeGreaterThan(0);
      } finally {
        await transport.close();
      }
    });
  });
}
