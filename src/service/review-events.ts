import { isGateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import type { Transport } from '../transport/transport.ts';

/**
 * Keeps the review cache fresh (issue 19 §2): reads the pull request topic that
 * `pulsar-gate-service webhooks` writes, from the moment `serve` starts, and on any
 * `pullrequest:*` event (approved, unapproved, fulfilled = merged, rejected, updated, …) drops
 * that repository's cached reviews, so a deploy right after a merge or an approval is decided
 * on a fresh look-up instead of waiting out BITBUCKET_CACHE. Every replica reads every event
 * (its own exclusive reader). An event only ever causes a look-up at Bitbucket: nothing in it
 * is believed as a fact, so a forged one can at most cost an API call.
 */
export async function followReviewEvents(options: {
  transport: Transport;
  topic: string;
  forget: (repositoryUuid: string) => void;
  log: (level: 'info' | 'warn', message: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  const reader = await options.transport.attach(options.topic);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let payload: Buffer;
      try {
        payload = (await reader.receive(Date.now() + 30_000)).payload;
      } catch (error) {
        if (stopped) return;
        if (isGateError(error, 'PULSAR_TIMEOUT')) continue;
        options.log(
          'warn',
          `review events on ${options.topic} stopped: ${error instanceof Error ? error.message : String(error)}; reviews are cached for BITBUCKET_CACHE`,
        );
        return;
      }
      const repository = pullRequestRepository(payload);
      if (repository !== undefined) options.forget(repository);
    }
  })();
  options.log('info', `review cache follows pull request events on ${options.topic}`);
  return {
    stop: async () => {
      stopped = true;
      await reader.close();
      await loop;
    },
  };
}

/** The repository UUID of a webhook CloudEvent about a pull request, else undefined. */
function pullRequestRepository(payload: Buffer): string | undefined {
  try {
    const event: unknown = JSON.parse(payload.toString('utf8'));
    if (!isRecord(event) || typeof event.bitbucketevent !== 'string') return undefined;
    if (!event.bitbucketevent.startsWith('pullrequest:')) return undefined;
    return typeof event.partitionkey === 'string' ? event.partitionkey : undefined;
  } catch {
    return undefined;
  }
}
