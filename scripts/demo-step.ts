// `npm run demo`: one step as Bitbucket runs it, with the pipe in gate mode (issue 14).
import { join } from 'node:path';
import type { BrokerHandle } from '../test/peers/pulsar/types.ts';
import type { GateWorld } from '../test/support/gate-world.ts';

/** What every step of the demo shares. */
export interface DemoStage {
  readonly world: GateWorld;
  readonly broker: BrokerHandle;
  readonly topic: string;
  /** Where writeDemoKeys put the keys. */
  readonly keys: string;
  readonly stsEndpoint: string;
}

/**
 * A step's token, minted for the deployment it proves and its branch, a fresh clone, and the
 * pipe's environment: zero-secret when the broker trusts the step's issuer, the keys `serve`
 * signs with, and gate mode, so the credentials come from an allow's gate token (also the allow
 * an approval settles). `variables` adds what the step asks (ENVIRONMENT or ACTION, ROLE).
 */
export async function demoStep(
  stage: DemoStage,
  step: { proves: string; branch: string; variables: Record<string, string> },
): Promise<{ env: Record<string, string>; cloneDir: string }> {
  const { world, broker, topic } = stage;
  const token = await world.issuer.mint({ environment: step.proves, branchName: step.branch });
  const cloneDir = await world.cloneDir();
  const env = await world.stepEnv({
    token,
    cloneDir,
    variables: {
      ...(broker.identity === undefined
        ? world.pipeVariables(broker, topic)
        : world.stepVariables(broker, topic)),
      // The keys `serve` signs with, published as the pipe would receive them.
      DECISION_KEYS: join(stage.keys, 'decision-keys.json'),
      TIMEOUT: '60',
      CREDENTIALS: 'gate',
      AWS_ENDPOINT_URL_STS: stage.stsEndpoint,
      ...step.variables,
    },
  });
  return { env, cloneDir };
}
