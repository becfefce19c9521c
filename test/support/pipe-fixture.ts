import type { JWK } from 'jose';
import { WebSocketTransport } from '../../src/transport/websocket/transport.ts';
import { topicName } from '../transport/contract.ts';
import { brokerInfo } from './broker.ts';
import { type GateWorld, startGateWorld } from './gate-world.ts';
import { type Script, startResponder } from './responder.ts';
import { type PipeRun, runPipe } from './run-pipe.ts';

export interface RunOptions {
  readonly variables?: Record<string, string>;
  readonly token?: string | null;
  readonly entry?: 'source' | 'bundle';
  /** Publishes things on the reply topic before the responder answers. */
  readonly topic?: string;
  readonly watch?: { when: RegExp; act: (signal: (name: NodeJS.Signals) => void) => void };
  /** The key the responder signs with (default: the world's service key). */
  readonly serviceKey?: JWK;
}

export interface FixtureRun extends PipeRun {
  readonly cloneDir: string;
  readonly env: Record<string, string>;
  readonly published: string[];
}

/** A broker, the identity peers, a responder per run, and the pipe as a real process. */
export async function pipeFixture() {
  const broker = brokerInfo();
  const world: GateWorld = await startGateWorld();
  const transport = new WebSocketTransport({ url: broker.webSocketUrl, token: broker.adminToken });
  const baseVariables = (topic: string): Record<string, string> => world.pipeVariables(broker, topic);
  return {
    broker,
    world,
    transport,
    baseVariables,
    async run(script: Script | undefined, options: RunOptions = {}): Promise<FixtureRun> {
      const topic = options.topic ?? topicName('gate');
      const published: string[] = [];
      const responder = script
        ? await startResponder({
            transport,
            topic,
            serviceKey: options.serviceKey ?? world.serviceKey,
            script: async (request, reply) => {
              const original = reply.publish;
              await script(request, {
                ...reply,
                publish: async (payload, properties) => {
                  published.push(typeof payload === 'string' ? payload : Buffer.from(payload).toString());
                  await original(payload, properties);
                },
              });
            },
          })
        : undefined;
      const cloneDir = await world.cloneDir();
      const env = await world.stepEnv({
        token: options.token,
        cloneDir,
        variables: { ...baseVariables(topic), ...options.variables },
      });
      try {
        const result = await runPipe(env, {
          cwd: cloneDir,
          ...(options.entry ? { entry: options.entry } : {}),
          ...(options.watch ? { watch: options.watch } : {}),
        });
        return { ...result, cloneDir, env, published };
      } finally {
        await responder?.close();
      }
    },
    async close() {
      await transport.close();
      await world.close();
    },
  };
}

export type PipeFixture = Awaited<ReturnType<typeof pipeFixture>>;
