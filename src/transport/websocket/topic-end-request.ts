import { GateError } from '../../errors.ts';
import { redactedUrl } from '../../lib/redacted-url.ts';
import { type Position, type TopicEnd, topicEnd } from '../topic-end.ts';
import type { TokenSource } from '../transport.ts';
import { adminRest } from './admin-rest.ts';

/**
 * `GET /admin/v2/{domain}/{tenant}/{ns}/{topic}/lastMessageId` on the broker's web service,
 * with the transport's own token. Pulsar allows it to roles with `consume` on the topic.
 */
export async function fetchTopicEnd(
  base: URL,
  topicPath: string,
  token: TokenSource | undefined,
  timeoutMs: number,
): Promise<TopicEnd> {
  let url: URL;
  let response: Response;
  try {
    ({ url, response } = await adminRest(base, `${topicPath}/lastMessageId`, token, { timeoutMs }));
  } catch (cause) {
    throw new GateError('PULSAR_UNREACHABLE', `cannot ask Pulsar where ${topicPath} ends`, { cause });
  }
  const body: unknown = await response.json().catch(() => undefined);
  const where = `the end of ${topicPath} at ${redactedUrl(url)}`;
  if (response.status === 401 || response.status === 403)
    throw new GateError(
      'PULSAR_NOT_PERMITTED',
      `Pulsar did not permit reading ${where} (HTTP ${response.status})`,
      {
        details: { topic: topicPath.replace(/^([a-z-]+)\//, '$1://'), action: 'consume' },
      },
    );
  if (response.status === 404) throw new GateError('PULSAR_TOPIC_NOT_FOUND', `Pulsar has no ${where}`);
  if (!response.ok || !isPosition(body))
    throw new GateError('PULSAR_PROTOCOL', `Pulsar could not tell ${where} (HTTP ${response.status})`);
  return topicEnd(body);
}

function isPosition(value: unknown): value is Position {
  return (
    typeof value === 'object' &&
    value !== null &&
    'ledgerId' in value &&
    'entryId' in value &&
    typeof value.ledgerId === 'number' &&
    typeof value.entryId === 'number'
  );
}
