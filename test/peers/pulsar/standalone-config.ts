// Builds the per-run standalone.conf: the shipped file with our overrides appended. Appending
// (java.util.Properties: the last duplicate key wins) keeps every standalone default we do not
// mention, which a minimal file would lose to broker.conf defaults (e.g. ensemble size 2).
import { readFile, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

export interface StandalonePorts {
  broker: number;
  web: number;
  bookie: number;
}

export interface ConfigInput {
  pulsarHome: string;
  file: string;
  ports: StandalonePorts;
  tokenSecret: string;
  adminToken: string;
  /** Turns on Pulsar's OpenID Connect provider beside the token provider. */
  openId?: OpenIdTrust | undefined;
}

/** Whom the broker's OpenID Connect provider trusts, and which claim names the role. */
export interface OpenIdTrust {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly roleClaim: string;
}

const TOKEN_PROVIDER = 'org.apache.pulsar.broker.authentication.AuthenticationProviderToken';
const OPENID_PROVIDER = 'org.apache.pulsar.broker.authentication.oidc.AuthenticationProviderOpenID';

/**
 * Clock skew the OpenID provider forgives on exp and iat (and nbf, which Bitbucket never
 * sets): the decision service's default tolerance, and README "Configure your Pulsar cluster".
 */
export const OPENID_LEEWAY_SECONDS = 30;

/** docs/notes/pulsar-oidc-auth.md §1–2: the keys verified against Pulsar 4.0.8 and 3.0.16. */
function openIdOverrides(trust: OpenIdTrust): Record<string, string> {
  return {
    authenticationProviders: `${TOKEN_PROVIDER},${OPENID_PROVIDER}`,
    openIDAllowedTokenIssuers: trust.issuers.join(','),
    openIDAllowedAudiences: trust.audiences.join(','),
    openIDRoleClaim: trust.roleClaim,
    openIDAcceptedTimeLeewaySeconds: String(OPENID_LEEWAY_SECONDS),
    // Test issuers serve plain http on loopback; production issuers must use https.
    openIDRequireIssuersUseHttps: String(!trust.issuers.every((i) => i.startsWith('http://127.0.0.1:'))),
    // A rotated issuer key is fetched at once instead of being refused for up to 300 s.
    openIDKeyIdCacheMissRefreshSeconds: '0',
  };
}

// The embedded bookie reads this same file (as a BookKeeper ServerConfiguration) and binds to
// 0.0.0.0 unless told an interface; BookKeeper has no bind-address key, only an interface name.
function loopbackInterface(): string {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.some((a) => a.internal && a.address === '127.0.0.1')) return name;
  }
  return 'lo';
}

export function overrides(input: ConfigInput): Record<string, string> {
  return {
    bindAddress: '127.0.0.1',
    bindAddresses: '',
    advertisedAddress: '127.0.0.1',
    brokerServicePort: String(input.ports.broker),
    webServicePort: String(input.ports.web),
    listeningInterface: loopbackInterface(),
    webSocketServiceEnabled: 'true',
    // Authentication and authorization as a production cluster runs them: the harness is the
    // superuser `admin`; every other role gets only the topic grants a test makes for it.
    authenticationEnabled: 'true',
    authenticationProviders: TOKEN_PROVIDER,
    tokenSecretKey: `data:;base64,${input.tokenSecret}`,
    superUserRoles: 'admin',
    authorizationEnabled: 'true',
    // The broker's own clients (namespace bootstrap, WebSocket service) must authenticate too,
    // or public/default is never created.
    brokerClientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
    brokerClientAuthenticationParameters: JSON.stringify({ token: input.adminToken }),
    // Test topics must not vanish between a test's steps.
    brokerDeleteInactiveTopicsEnabled: 'false',
    transactionCoordinatorEnabled: 'false',
    // Idle threads cost nothing, but the WebSocket service's 8 IO threads are sized for big servers.
    webSocketNumIoThreads: '2',
    ...(input.openId === undefined ? {} : openIdOverrides(input.openId)),
  };
}

export async function writeStandaloneConfig(input: ConfigInput): Promise<void> {
  const shipped = await readFile(join(input.pulsarHome, 'conf', 'standalone.conf'), 'utf8');
  const lines = Object.entries(overrides(input)).map(([key, value]) => `${key}=${value}`);
  await writeFile(input.file, `${shipped}\n\n### pulsar-gate test overrides\n${lines.join('\n')}\n`, {
    mode: 0o600,
  });
}
