// `npm run demo`: the whole flow on this machine. A real Pulsar broker (reused when
// `npm run pulsar` runs, else started), local stand-ins for Bitbucket's OIDC issuer and AWS
// STS, the real decision service (`pulsar-gate-service serve`, sample Cedar policies in
// examples/policies) reading a local stand-in for Bitbucket's REST API, and the pipe run as
// Bitbucket would run it: a deploy to staging that is allowed, a deploy to production from a
// feature branch that is denied, and a staging step that asks for production, denied because
// its token proves staging (the service asks Bitbucket, not the request). In gate mode
// (issue 14): the deploy roles trust only the decision service as an OIDC issuer, so the
// credentials come from the gate token of an allow, and a step that skips the pipe and
// presents its own token to STS is refused.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateGateKeySet, generateServiceKey } from '../src/keys/service-keys.ts';
import { issuerForRepository } from '../test/peers/oidc/shared-issuer.ts';
import { grantRepository, grantService } from '../test/peers/pulsar/grants.ts';
import { freePort } from '../test/peers/pulsar/ports.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { PRODUCTION_ROLE, STAGING_ROLE, startGatedSts } from '../test/support/gate-service.ts';
import { startGateWorld } from '../test/support/gate-world.ts';
import { runPipe } from '../test/support/run-pipe.ts';
import { startApprovalDemo } from './demo-approval.ts';
import { skipThePipe } from './demo-skip.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const root = new URL('..', import.meta.url).pathname;

say('pulsar-gate demo: starting a local Pulsar broker (or reusing `npm run pulsar`), OIDC issuer and STS …');
const broker = await reuseOrStartBroker();
// A broker we started trusts a workspace issuer and an OAuth provider (README "Configure your
// Pulsar cluster"): then nobody holds a Pulsar secret, the steps and the service alike.
const identity = broker.identity;
const world = await startGateWorld(
  identity === undefined ? {} : { issuer: await issuerForRepository(identity.bitbucket) },
);
const keys = await mkdtemp(join(tmpdir(), 'pulsar-gate-demo-keys-'));
const { privateJwk, encryptionJwk, publicJwks } = await generateServiceKey();
await writeFile(join(keys, 'service-key.json'), JSON.stringify(privateJwk), { mode: 0o600 });
await writeFile(join(keys, 'service-enc-keys.json'), JSON.stringify({ keys: [encryptionJwk] }), {
  mode: 0o600,
});
await writeFile(join(keys, 'decision-keys.json'), JSON.stringify(publicJwks));
await writeFile(join(keys, 'gate-keys.json'), JSON.stringify(await generateGateKeySet()), { mode: 0o600 });
// The decision service is the gate's OIDC issuer on its own HTTP port; AWS (here: the STS
// stand-in) fetches its discovery document and JWKS there.
const httpPort = await freePort();
const gateIssuer = `http://127.0.0.1:${httpPort}`;
const sts = await startGatedSts(gateIssuer, world.issuer);
const topic = `persistent://public/default/gates-demo-${Date.now()}`;
const topics = { topic, replyTopic: `${topic}-replies` };
let serviceCredential: Record<string, string> = { PULSAR_TOKEN: broker.adminToken ?? '' };
if (identity !== undefined) {
  say(
    `granting repository ${world.issuer.repositoryUuid} produce/consume on its topics, and the service its own …`,
  );
  await grantRepository(broker, world.issuer.repositoryUuid, topics);
  await grantService(broker, topics, identity.service.role);
  const client = identity.service.clients.service;
  await writeFile(join(keys, 'oauth-secret'), client.clientSecret, { mode: 0o600 });
  serviceCredential = {
    OAUTH_ISSUER: identity.service.issuer,
    OAUTH_CLIENT_ID: client.clientId,
    OAUTH_CLIENT_SECRET_FILE: join(keys, 'oauth-secret'),
    OAUTH_AUDIENCE: identity.service.audience,
  };
}

// Approvals (issue 16): scripts/demo-approval.ts.
const approvals = await startApprovalDemo();
say('starting the decision service: pulsar-gate-service serve --policy-dir examples/policies …');
let serveLog = '';
const serve = spawn(process.execPath, [join(root, 'cli/service/main.ts'), 'serve'], {
  env: {
    PATH: process.env.PATH ?? '',
    PULSAR_URL: broker.webSocketUrl,
    ...serviceCredential,
    TOPICS: topic,
    SIGNING_KEY_FILE: join(keys, 'service-key.json'),
    POLICY_DIR: join(root, 'examples/policies'),
    OIDC_ISSUERS: world.issuer.url,
    OIDC_AUDIENCES: world.issuer.audience,
    ALLOW_INSECURE_ISSUER: 'true',
    HTTP_PORT: String(httpPort),
    GATE_ISSUER: gateIssuer,
    // Where the service names environments and pipelines: Bitbucket's API (a local stand-in).
    ...world.bitbucket,
    ...approvals.serveEnv,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
serve.stdout.on('data', (chunk: Buffer) => {
  serveLog += chunk;
});
serve.stderr.on('data', (chunk: Buffer) => {
  serveLog += chunk;
});
const started = Date.now();
while (!serveLog.includes('/healthz')) {
  if (serve.exitCode !== null || Date.now() - started > 60_000)
    throw new Error(`serve did not start:\n${serveLog}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** `proves`: the deployment environment of the step (its token); `environment`: what it asks for. */
const steps = [
  {
    name: 'Deploy to staging',
    proves: 'staging',
    environment: 'staging',
    branch: 'feature/login',
    expected: 0,
  },
  {
    name: 'Deploy to production',
    proves: 'production',
    environment: 'production',
    branch: 'feature/login',
    expected: 1,
  },
  {
    name: 'Staging step asks for production',
    proves: 'staging',
    environment: 'production',
    branch: 'main',
    expected: 1,
  },
];
let failures = 0;
try {
  for (const step of steps) {
    const token = await world.issuer.mint({ environment: step.proves, branchName: step.branch });
    const cloneDir = await world.cloneDir();
    const env = await world.stepEnv({
      token,
      cloneDir,
      variables: {
        ...(identity === undefined ? world.pipeVariables(broker, topic) : world.stepVariables(broker, topic)),
        // The keys `serve` signs with, published as the pipe would receive them.
        DECISION_KEYS: join(keys, 'decision-keys.json'),
        ENVIRONMENT: step.environment,
        TIMEOUT: '60',
        CREDENTIALS: 'gate',
        ROLE: step.environment === 'staging' ? STAGING_ROLE : PRODUCTION_ROLE,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
      },
    });
    say(
      `\n── step "${step.name}" (deployment: ${step.proves}) on branch ${step.branch} ─────────────────────────`,
    );
    say('+ pipe: example/pulsar-gate:0.2.0');
    if (!('PULSAR_TOKEN' in env)) say('  (no PULSAR_TOKEN: the step presents its own OIDC token to Pulsar)');
    const run = await runPipe(env, { cwd: cloneDir });
    process.stdout.write(run.output.replace(/^/gm, '  '));
    say(
      `  (exit ${run.code}: ${run.code === 0 ? 'the step continues' : 'the step stops here, nothing is deployed'})`,
    );
    if (run.code !== step.expected) failures++;
  }
  const stepToken = await world.issuer.mint({ environment: 'production', branchName: 'main' });
  if (!(await skipThePipe({ stsEndpoint: sts.endpoint, roleArn: PRODUCTION_ROLE, stepToken, say })))
    failures++;
  // Approvals (issue 16): a provision of production from main waits for a release manager.
  const health = /health (http:\/\/[^/\s]+)\/healthz/.exec(serveLog)?.[1] ?? '';
  failures += await approvals.run(health, async () => {
    const token = await world.issuer.mint({ environment: 'production', branchName: 'main' });
    const cloneDir = await world.cloneDir();
    const variables =
      identity === undefined ? world.pipeVariables(broker, topic) : world.stepVariables(broker, topic);
    const env = await world.stepEnv({
      token,
      cloneDir,
      variables: {
        ...variables,
        DECISION_KEYS: join(keys, 'decision-keys.json'),
        ACTION: 'provision',
        TIMEOUT: '60',
        // Gate mode here too: the allow the approval settles carries this run's gate token.
        CREDENTIALS: 'gate',
        ROLE: PRODUCTION_ROLE,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
      },
    });
    return runPipe(env, { cwd: cloneDir });
  });
} finally {
  await approvals.close();
  serve.kill('SIGTERM');
  await new Promise((resolve) => serve.once('exit', resolve));
  say('\n── decision service log (one JSON line per decision) ─────────────────────');
  for (const line of serveLog.split('\n').filter((l) => l.includes('"decision"')))
    say(`  ${line.slice(0, 240)}${line.length > 240 ? '…' : ''}`);
  await world.close();
  await sts.close();
  await broker.stop();
  await rm(keys, { recursive: true, force: true });
}
say(failures === 0 ? '\ndemo: every outcome shown as expected' : `\ndemo: ${failures} unexpected outcome(s)`);
process.exitCode = failures === 0 ? 0 : 1;
