// The process-level pipe fixture's world (broker, issuer, STS, responder), with the pipe run
// as its image instead of as a process.

import { pipeFixture } from '../support/pipe-fixture.ts';
import { type Script, startResponder } from '../support/responder.ts';
import type { PipeRun } from '../support/run-pipe.ts';
import { topicName } from '../transport/contract.ts';
import { BUILD_DIR, runPipeContainer } from './run-container.ts';

export interface ImageRun extends PipeRun {
  /** The host side of the clone directory mounted into the container. */
  readonly cloneDir: string;
  readonly env: Record<string, string>;
}

export async function imageFixture(image: string) {
  const fixture = await pipeFixture();
  const { world, transport } = fixture;
  return {
    world,
    broker: fixture.broker,
    async run(
      script: Script | undefined,
      options: { variables?: Record<string, string>; token?: string | null } = {},
    ): Promise<ImageRun> {
      const topic = topicName('image');
      const responder = script
        ? await startResponder({ transport, topic, serviceKey: world.serviceKey, script })
        : undefined;
      const cloneDir = await world.cloneDir();
      // Inside the container the clone directory is Bitbucket's build path, as in a real step.
      const env = await world.stepEnv({
        token: options.token,
        cloneDir: BUILD_DIR,
        variables: { ...fixture.baseVariables(topic), ...options.variables },
      });
      try {
        return { ...(await runPipeContainer(image, env, { cloneDir })), cloneDir, env };
      } finally {
        await responder?.close();
      }
    },
    close: () => fixture.close(),
  };
}

export type ImageFixture = Awaited<ReturnType<typeof imageFixture>>;
