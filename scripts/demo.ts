// `npm run demo`: the whole flow on this machine, with local stand-ins for Bitbucket's OIDC
// issuer and AWS STS, a real Pulsar broker (reused when `npm run pulsar` runs, else started),
// and a responder that signs sample decisions. Prints the step log a user would see: an
// allowed deploy from main, then a denied one from a feature branch.
import { WebSocketTransport } from '../src/transport/websocket/transport.ts';
import { reuseOrStartBroker } from '../test/peers/pulsar/reuse.ts';
import { ROLE_ARN, startGateWorld } from '../test/support/gate-world.ts';
import { startResponder } from '../test/support/responder.ts';
import { runPipe } from '../test/support/run-pipe.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

say('pulsar-gate demo: starting a local Pulsar broker (or reusing `npm run pulsar`), OIDC issuer and STS …');
const broker = await reuseOrStartBroker();
const world = await startGateWorld();
const transport = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });
const topic = 'persistent://public/default/gates-production';
// Sample policy until `pulsar-gate serve` answers: only main may deploy to production.
const responder = await startResponder({
  transport,
  topic,
  serviceKey: world.serviceKey,
  script: async (request, reply) => {
    const branch = request.event.data.pipeline.branch;
    const decision =
      branch === 'main'
        ? reply.decision('allow', { policy: { ids: ['prod-deploy'], digest: 'demo' } })
        : reply.decision('deny', {
            reasons: [`branch ${branch} may not deploy to production (only main may)`],
            failedPath: 'policy prod-deploy: branchName',
          });
    await reply.publish(await reply.sign(decision));
  },
});

let failures = 0;
try {
  for (const branch of ['main', 'feature/login']) {
    const token = await world.issuer.mint({ branchName: branch });
    const cloneDir = await world.cloneDir();
    const env = await world.stepEnv({
      token,
      cloneDir,
      variables: {
        PULSAR_URL: broker.webSocketUrl,
        TOPIC: topic,
        ROLE: ROLE_ARN,
        DECISION_KEYS: world.decisionKeys,
        ...(broker.adminToken ? { PULSAR_TOKEN: broker.adminToken } : {}),
        AWS_ENDPOINT_URL_STS: world.sts.endpoint,
        AWS_REGION: 'eu-west-1',
        TIMEOUT: '60',
      },
    });
    env.BITBUCKET_BRANCH = branch;
    say(`\n── step "Deploy to production" on branch ${branch} ─────────────────────────`);
    say('+ pipe: example/pulsar-gate:0.1.0');
    const run = await runPipe(env, { cwd: cloneDir });
    process.stdout.write(run.output.replace(/^/gm, '  '));
    say(
      `  (exit ${run.code}: ${run.code === 0 ? 'the step continues' : 'the step stops here, nothing is deployed'})`,
    );
    const expected = branch === 'main' ? 0 : 1;
    if (run.code !== expected) failures++;
  }
} finally {
  await responder.close();
  await transport.close();
  await world.close();
  await broker.stop();
}
say(failures === 0 ? '\ndemo: both outcomes shown as expected' : `\ndemo: ${failures} unexpected outcome(s)`);
process.exitCode = failures === 0 ? 0 : 1;
