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
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { issuerForRepository } from '../test/peers/oidc/shared-issuer.ts';
import { freePort } from '../test/peers/pulsar/ports.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { PRODUCTION_ROLE, STAGING_ROLE, startGatedSts } from '../test/support/gate-service.ts';
import { startGateWorld } from '../test/support/gate-world.ts';
import { runPipe } from '../test/support/run-pipe.ts';
import { startApprovalDemo } from './demo-approval.ts';
import { serviceCredential } from './demo-credential.ts';
import { writeDemoKeys } from './demo-keys.ts';
import { startDemoServe } from './demo-serve.ts';
import { skipThePipe } from './demo-skip.ts';
import { demoStep } from './demo-step.ts';

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
const keys = await writeDemoKeys();
// The decision service is the gate's OIDC issuer on its own HTTP port; AWS (here: the STS
// stand-in) fetches its discovery document and JWKS there.
const httpPort = await freePort();
const gateIssuer = `http://127.0.0.1:${httpPort}`;
const sts = await startGatedSts(gateIssuer, world.issuer);
const topic = `persistent://public/default/gates-demo-${Date.now()}`;
const topics = { topic, replyTopic: `${topic}-replies` };
const credential = await serviceCredential(broker, world, topics, keys, say);

// Approvals (issue 16): scripts/demo-approval.ts.
const approvals = await startApprovalDemo();
say('starting the decision service: pulsar-gate-service serve --policy-dir examples/policies …');
const serve = await startDemoServe({
  PULSAR_URL: broker.webSocketUrl,
  ...credential,
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
});
const stage = { world, broker, topic, keys, stsEndpoint: sts.endpoint };

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
    const { env, cloneDir } = await demoStep(stage, {
      proves: step.proves,
      branch: step.branch,
      variables: {
        ENVIRONMENT: step.environment,
        ROLE: step.environment === 'staging' ? STAGING_ROLE : PRODUCTION_ROLE,
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
  const health = /health (http:\/\/[^/\s]+)\/healthz/.exec(serve.log())?.[1] ?? '';
  failures += await approvals.run(health, async () => {
    const { env, cloneDir } = await demoStep(stage, {
      proves: 'production',
      branch: 'main',
      variables: { ACTION: 'provision', ROLE: PRODUCTION_ROLE },
    });
    return runPipe(env, { cwd: cloneDir });
  });
} finally {
  await approvals.close();
  await serve.stop();
  say('\n── decision service log (one JSON line per decision) ─────────────────────');
  for (const line of serve
    .log()
    .split('\n')
    .filter((l) => l.includes('"decision"')))
    say(`  ${line.slice(0, 240)}${line.length > 240 ? '…' : ''}`);
  await world.close();
  await sts.close();
  await broker.stop();
  await rm(keys, { recursive: true, force: true });
}
say(failures === 0 ? '\ndemo: every outcome shown as expected' : `\ndemo: ${failures} unexpected outcome(s)`);
process.exitCode = failures === 0 ? 0 : 1;
