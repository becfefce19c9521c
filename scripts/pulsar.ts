// `npm run pulsar`: a throwaway local Pulsar broker in the foreground, for the demo and for
// poking around. Ctrl-C stops it and removes nothing but what it created.
import { brokerOptionsFromEnv } from '../test/peers/pulsar/find-broker.ts';
import {
  brokerFile,
  liveBrokerRecord,
  removeBrokerFile,
  writeBrokerFile,
} from '../test/peers/pulsar/reuse.ts';
import { findBrokerWithIdentity } from '../test/peers/pulsar/with-identity.ts';

const running = await liveBrokerRecord();
if (running !== undefined) {
  process.stderr.write(
    `pulsar-gate: a broker is already running at ${running.webUrl} (pid ${running.pid}, see ${brokerFile()}).\n`,
  );
  process.exit(1);
}

const broker = await findBrokerWithIdentity(brokerOptionsFromEnv(process.env));
let stopping = false;
const shutdown = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\npulsar-gate: ${signal}: stopping the broker…\n`);
  await removeBrokerFile();
  await broker.stop();
  process.stderr.write('pulsar-gate: broker stopped\n');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const file = await writeBrokerFile(broker);
// A local, throwaway broker: printing its superuser token is the point (curl, the demo, …).
const lines = [
  `Pulsar broker (${broker.kind}) is up:`,
  `  web / admin   ${broker.webUrl}`,
  `  WebSocket     ${broker.webSocketUrl}`,
  `  service       ${broker.serviceUrl}`,
  broker.adminToken === undefined ? '  (no authentication)' : `  admin token   ${broker.adminToken}`,
  ...(broker.tokenSecret === undefined ? [] : [`  token secret  ${broker.tokenSecret} (base64, HS256)`]),
  ...(broker.logFile === undefined ? [] : [`  log           ${broker.logFile}`]),
  ...(broker.identity === undefined
    ? []
    : [`  OIDC issuer   ${broker.identity.bitbucket.url} (role claim ${broker.identity.roleClaim})`]),
  `  details       ${file}`,
  '',
  'Try:',
  `  curl -H "Authorization: Bearer $(node -p "require('${file}').adminToken")" ${broker.adminUrl}/admin/v2/namespaces/public`,
  '',
  'Ctrl-C to stop.',
];
process.stdout.write(`${lines.join('\n')}\n`);
// Stay in the foreground; the signal handlers end the process.
setInterval(() => {}, 1 << 30);
