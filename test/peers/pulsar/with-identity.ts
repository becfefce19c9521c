// A broker that trusts a Bitbucket-shaped workspace issuer, as a production cluster set up for
// pulsar-gate does (README "Configure your Pulsar cluster"): the issuer is started first,
// because Pulsar reads its trusted issuers once, and lives exactly as long as the broker.
import { type OAuthProviderInfo, startOAuthProvider } from '../oauth/provider.ts';
import { type SharedIssuerInfo, startSharedIssuer } from '../oidc/shared-issuer.ts';
import { type FindBrokerOptions, findBroker } from './find-broker.ts';
import type { BrokerHandle } from './types.ts';

/** The claim Pulsar takes the role from: stable per repository, unlike `sub` (per step). */
export const ROLE_CLAIM = 'repositoryUuid';

/** Who the broker trusts besides its superuser; plain JSON (see BrokerInfo). */
export interface ClusterIdentity {
  readonly bitbucket: SharedIssuerInfo;
  /** The OAuth 2.0 provider the decision service gets its access tokens from (issue 5 §3). */
  readonly service: OAuthProviderInfo;
  readonly roleClaim: string;
}

/**
 * findBroker, plus the workspace issuer when the broker is ours to configure. An external or
 * container broker is returned as it is, without `identity`: tests that need OpenID Connect
 * on the broker say so and skip.
 */
export async function findBrokerWithIdentity(options: FindBrokerOptions): Promise<BrokerHandle> {
  if (options.external !== undefined) return findBroker(options);
  const [issuer, provider] = await Promise.all([
    startSharedIssuer(),
    startOAuthProvider({ roleClaim: ROLE_CLAIM }),
  ]);
  const close = () => Promise.all([issuer.close(), provider.close()]);
  try {
    const broker = await findBroker({
      ...options,
      openId: {
        issuers: [issuer.info.url, provider.issuer],
        audiences: [issuer.info.audience, provider.audience],
        roleClaim: ROLE_CLAIM,
      },
    });
    if (broker.kind !== 'distribution') {
      await close();
      return broker;
    }
    const stopBroker = broker.stop.bind(broker);
    broker.identity = { bitbucket: issuer.info, service: provider.info, roleClaim: ROLE_CLAIM };
    broker.stop = async () => {
      await stopBroker();
      await close();
    };
    return broker;
  } catch (error) {
    await close();
    throw error;
  }
}
