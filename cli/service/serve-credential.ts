import { createClientCredentialsTokenSource } from '../../src/identity/service-token.ts';
import type { TokenSource } from '../../src/transport/transport.ts';
import type { ServeConfig } from './serve-config.ts';

/**
 * PULSAR_TOKEN as given, or an OAuth 2.0 access token that is fetched now (a bad client fails
 * the start, not the first reconnect) and refreshed in the background before it expires.
 */
export async function pulsarCredential(
  config: ServeConfig,
  log: (level: 'info' | 'warn' | 'error', message: string) => void,
): Promise<{ source: TokenSource | undefined; stop(): void }> {
  if (config.oauth === undefined) return { source: config.pulsarToken, stop: () => {} };
  const source = createClientCredentialsTokenSource({
    issuer: config.oauth.issuer,
    clientId: config.oauth.clientId,
    clientSecret: config.oauth.clientSecret,
    resource: config.oauth.audience,
    allowInsecureIssuer: config.allowInsecureIssuer,
    log,
  });
  await source();
  source.start();
  log('info', `Pulsar credential: OAuth client ${config.oauth.clientId} at ${config.oauth.issuer}`);
  return { source, stop: () => source.stop() };
}
