import { GateError } from '../../errors.ts';
import type { SubscribeOptions } from '../transport.ts';

/** An endpoint of Pulsar's WebSocket API, v2 paths (`/ws/v2/…`), under the base URL's own path (a proxy's prefix). */
export function apiUrl(base: URL, path: string, query: Record<string, string>): URL {
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/ws/v2/${path}`, base);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url;
}

/**
 * The consumer endpoint's query parameters for a subscription (Pulsar's WebSocket API,
 * "Consumer endpoint"). The subscription name becomes a path segment, so anything but a
 * plain name is refused (CONFIG_INVALID) before a URL is made of it.
 */
export function consumerQuery(subscription: string, options: SubscribeOptions): Record<string, string> {
  if (!/^[A-Za-z0-9_.:=-]{1,200}$/.test(subscription)) {
    throw new GateError('CONFIG_INVALID', `invalid subscription name "${subscription}"`);
  }
  const query: Record<string, string> = {
    subscriptionType: options.type ?? 'Shared',
    subscriptionInitialPosition: options.initialPosition ?? 'Latest',
    receiverQueueSize: String(options.receiverQueueSize ?? 100),
  };
  if (options.nackRedeliveryDelayMs !== undefined)
    query.negativeAckRedeliveryDelay = String(options.nackRedeliveryDelayMs);
  if (options.consumerName !== undefined) query.consumerName = options.consumerName;
  return query;
}
