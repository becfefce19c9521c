import {
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
} from '../../../src/identity/service-token.ts';
import type { OAuthClientInfo, OAuthProviderInfo } from './provider.ts';

/**
 * The service's token source for one of the provider's clients, as `serve` makes it from
 * OAUTH_* (the provider runs over http on loopback); `lines` collects what it logs.
 */
export function clientTokenSource(
  provider: OAuthProviderInfo,
  client: OAuthClientInfo,
  extra: Partial<ClientCredentialsOptions> = {},
) {
  const lines: string[] = [];
  const source = createClientCredentialsTokenSource({
    issuer: provider.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    authMethod: client.authMethod,
    resource: provider.audience,
    allowInsecureIssuer: true,
    log: (level, message) => lines.push(`${level}: ${message}`),
    ...extra,
  });
  return { source, lines };
}
