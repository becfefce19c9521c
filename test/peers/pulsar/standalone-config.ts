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
    // Token authentication, as the pipe meets it in production. Authorization comes later.
    authenticationEnabled: 'true',
    authenticationProviders: 'org.apache.pulsar.broker.authentication.AuthenticationProviderToken',
    tokenSecretKey: `data:;base64,${input.tokenSecret}`,
    superUserRoles: 'admin',
    authorizationEnabled: 'false',
    // The broker's own clients (namespace bootstrap, WebSocket service) must authenticate too,
    // or public/default is never created.
    brokerClientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
    brokerClientAuthenticationParameters: JSON.stringify({ token: input.adminToken }),
    // Test topics must not vanish between a test's steps.
    brokerDeleteInactiveTopicsEnabled: 'false',
    transactionCoordinatorEnabled: 'false',
    // Idle threads cost nothing, but the WebSocket service's 8 IO threads are sized for big servers.
    webSocketNumIoThreads: '2',
  };
}

export async function writeStandaloneConfig(input: ConfigInput): Promise<void> {
  const shipped = await readFile(join(input.pulsarHome, 'conf', 'standalone.conf'), 'utf8');
  const lines = Object.entries(overrides(input)).map(([key, value]) => `${key}=${value}`);
  await writeFile(input.file, `${shipped}\n\n### pulsar-gate test overrides\n${lines.join('\n')}\n`, {
    mode: 0o600,
  });
}
