import { systemClock } from '../../src/time.ts';
import { openTransport } from '../../src/transport/open.ts';
import { startWebhookServer } from '../../src/webhooks/http-server.ts';
import { publisherPool } from '../../src/webhooks/publishers.ts';
import { webhookReceiver } from '../../src/webhooks/receiver.ts';
import { SeenDeliveries } from '../../src/webhooks/seen-deliveries.ts';
import { topicMap } from '../../src/webhooks/topic-map.ts';
import type { Io } from '../io.ts';
import { mustRead } from '../options/read.ts';
import type { OptionSource } from '../options/spec.ts';
import { endThroughTable } from '../outcome/end.ts';
import { EXIT } from '../outcome/exit.ts';
import { WEBHOOKS_OPTIONS } from './webhooks-options.ts';

/**
 * `pulsar-gate-service webhooks`: runs until SIGTERM/SIGINT. Each verified delivery is answered
 * only once the broker stored it; on shutdown the listener closes first, so no delivery is
 * taken that could not be stored.
 */
export async function webhooksCommand(
  flags: OptionSource['flags'],
  io: Io,
  signals: NodeJS.Process,
): Promise<number> {
  const log = (level: string, fields: Record<string, unknown>) =>
    io.write(`${JSON.stringify({ time: new Date().toISOString(), level, ...fields })}\n`);
  return endThroughTable('webhooks', 'webhooks', io.write, async () => {
    const config = mustRead(WEBHOOKS_OPTIONS, { flags, env: io.env }, [], 'webhooks options');
    const topics = topicMap(config.topics, config.namespace);
    const secrets = config.webhookSecret
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => Buffer.from(line, 'utf8'));
    const transport = openTransport({ url: config.pulsarUrl, token: config.pulsarToken });
    const publish = publisherPool(transport, config.publishTimeoutSeconds * 1000);
    const receive = webhookReceiver({
      secrets,
      topics,
      seen: new SeenDeliveries({
        ttlMs: config.replayTtlSeconds * 1000,
        maxEntries: config.replayMaxEntries,
        clock: systemClock,
      }),
      publish,
      clock: systemClock,
      log,
    });
    const server = await startWebhookServer({
      host: config.host,
      port: config.port,
      path: config.path,
      maxBodyBytes: config.maxBodyBytes,
      receive,
    });
    log('info', {
      message: `receiving Bitbucket webhooks at ${server.url}; topics: ${topics.named.length === 0 ? '' : `${topics.named.join(', ')}, else `}persistent://${config.namespace}/bitbucket-<family>; Pulsar ${transport.target}`,
    });
    await new Promise<void>((resolve) => {
      signals.once('SIGTERM', resolve);
      signals.once('SIGINT', resolve);
    });
    log('info', { message: 'stopping: no new deliveries; finishing those in flight' });
    await server.close();
    await publish.close();
    await transport.close();
    return EXIT.allowed;
  });
}
