// `npm run demo`: how the decision service signs in to the broker.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { grantRepository, grantService } from '../test/peers/pulsar/grants.ts';
import type { BrokerHandle } from '../test/peers/pulsar/types.ts';
import type { GateWorld } from '../test/support/gate-world.ts';

/**
 * A broker we started trusts a workspace issuer and an OAuth provider (README "Configure your
 * Pulsar cluster"): the repository is granted its topics, the service its own, and the
 * service signs in with its OAuth client, so nobody holds a Pulsar secret. Any other broker:
 * its admin token.
 */
export async function serviceCredential(
  broker: BrokerHandle,
  world: GateWorld,
  topics: { topic: string; replyTopic: string },
  keys: string,
  say: (line: string) => void,
): Promise<Record<string, string>> {
  const identity = broker.identity;
  if (identity === undefined) return { PULSAR_TOKEN: broker.adminToken ?? '' };
  say(
    `granting repository ${world.issuer.repositoryUuid} produce/consume on its topics, and the service its own …`,
  );
  await grantRepository(broker, world.issuer.repositoryUuid, topics);
  await grantService(broker, topics, identity.service.role);
  const client = identity.service.clients.service;
  await writeFile(join(keys, 'oauth-secret'), client.clientSecret, { mode: 0o600 });
  return {
    OAUTH_ISSUER: identity.service.issuer,
    OAUTH_CLIENT_ID: client.clientId,
    OAUTH_CLIENT_SECRET_FILE: join(keys, 'oauth-secret'),
    OAUTH_AUDIENCE: identity.service.audience,
  };
}
