import { GateError } from '../errors.ts';
import { adminFailure } from './admin-failure.ts';
import type { TokenSource } from './transport.ts';
import { adminRest } from './websocket/admin-rest.ts';
import { webSocketBase } from './websocket/base-url.ts';

const TIMEOUT_MS = 10_000;

/**
 * Where the admin REST API is: `explicit` (PULSAR_ADMIN_URL), else PULSAR_URL when it names
 * the web service, which serves it beside the WebSocket API; a pulsar:// URL does not.
 */
export const adminUrlOf = (pulsarUrl: string, explicit: string | undefined): string | undefined =>
  explicit ?? (/^(ws|http)s?:\/\//i.test(pulsarUrl) ? pulsarUrl : undefined);

/**
 * The topics of one namespace, from the admin REST API the broker's (or proxy's) web service
 * serves (GET /admin/v2/{persistent|non-persistent}/{tenant}/{namespace}), asked with the
 * service's own token. Pulsar authorises it as the namespace operation GET_TOPICS, which a
 * role holds with produce or consume granted on the namespace (or as its tenant's admin);
 * grants on single topics do not give it. Full names, partitions included.
 */
export function namespaceTopics(
  adminUrl: string,
  token: TokenSource | undefined,
): (persistence: 'persistent' | 'non-persistent', namespace: string) => Promise<readonly string[]> {
  const base = webSocketBase(adminUrl);
  return async (persistence, namespace) => {
    const path = `${persistence}/${namespace.split('/').map(encodeURIComponent).join('/')}`;
    let answer: Awaited<ReturnType<typeof adminRest>>;
    try {
      answer = await adminRest(base, path, token, { timeoutMs: TIMEOUT_MS });
    } catch (cause) {
      throw new GateError(
        'PULSAR_UNREACHABLE',
        `listing the topics of ${namespace} failed: ${String(cause)}`,
        {
          cause,
        },
      );
    }
    const { response } = answer;
    const body = await response.text();
    if (!response.ok)
      throw adminFailure(
        response.status,
        `listing the topics of ${namespace}`,
        'a TOPICS pattern needs consume on the namespace, not only on its topics',
      );
    let topics: unknown;
    try {
      topics = JSON.parse(body);
    } catch {
      topics = undefined;
    }
    if (!Array.isArray(topics) || !topics.every((t): t is string => typeof t === 'string'))
      throw new GateError('PULSAR_PROTOCOL', `listing the topics of ${namespace}: not a list of names`);
    return topics;
  };
}
