import { isGateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import type { Clock } from '../time.ts';
import type { OutgoingMessage } from '../transport/transport.ts';
import { repositoryOf, webhookEvent } from './cloud-event.ts';
import type { SeenDeliveries } from './seen-deliveries.ts';
import { checkSignature } from './signature.ts';
import { EVENT_KEY, type TopicMap } from './topic-map.ts';

/** A delivery's answer: the HTTP status Bitbucket sees and one line saying why. */
export interface Answer {
  readonly status: number;
  readonly message: string;
}

/** Stores one message on a topic; resolves only once the broker acknowledged it (persisted). */
export type PublishTo = (topic: string, message: OutgoingMessage) => Promise<string>;

export interface ReceiverOptions {
  readonly secrets: readonly Uint8Array[];
  readonly topics: TopicMap;
  readonly seen: SeenDeliveries;
  readonly publish: PublishTo;
  readonly clock: Clock;
  /** One line per delivery: never the secret, the signature or the payload. */
  readonly log: (level: 'info' | 'warn', fields: Record<string, unknown>) => void;
}

const UUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * One Bitbucket Cloud webhook delivery (headers + the raw body, already size-checked by the
 * HTTP layer), in the order that keeps every refusal cheap and stateless until the signature
 * holds: 401 unsigned, 403 wrongly signed, 400 not a delivery we can route, 409 a delivery id
 * seen before (a replay, or a copy still being stored), 503 the broker did not store it (so
 * Bitbucket retries), and 2xx only after the broker acknowledged the publish.
 */
export function webhookReceiver(options: ReceiverOptions) {
  const { seen, log } = options;
  return async function receive(
    header: (name: string) => string | undefined,
    body: Uint8Array,
  ): Promise<Answer> {
    const signature = checkSignature(options.secrets, body, header('x-hub-signature'));
    if (signature === 'missing') return refuse(401, 'unsigned: no X-Hub-Signature');
    if (signature !== 'valid') return refuse(403, `X-Hub-Signature is ${signature}`);
    const rawId = header('x-request-uuid')?.trim() ?? '';
    const eventKey = header('x-event-key')?.trim() ?? '';
    if (!UUID.test(rawId)) return refuse(400, 'X-Request-UUID is missing or not a UUID');
    // One delivery, one id: `{ABC…}` and `abc…` must not pass the replay check as two.
    const id = rawId.replace(/[{}]/g, '').toLowerCase();
    if (!EVENT_KEY.test(eventKey)) return refuse(400, 'X-Event-Key is missing or not an event key');
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      return refuse(400, 'the body is not JSON', { id, eventKey });
    }
    if (!isRecord(payload)) return refuse(400, 'the body is not a JSON object', { id, eventKey });
    const repository = repositoryOf(payload);
    if (typeof repository === 'string') return refuse(400, repository, { id, eventKey });
    if (!seen.claim(id))
      return refuse(409, 'delivery already received (X-Request-UUID seen before)', { id, eventKey });
    const topic = options.topics.topicFor(eventKey);
    const attempt = Number(header('x-attempt-number'));
    const hookUuid = header('x-hook-uuid');
    const event = webhookEvent(
      {
        id,
        eventKey,
        payload,
        receivedAt: new Date(options.clock.now()),
        ...(hookUuid === undefined ? {} : { hookUuid }),
        ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
      },
      repository,
    );
    const where = { id, eventKey, repository: repository.uuid, topic };
    try {
      const messageId = await options.publish(topic, {
        payload: JSON.stringify(event),
        // Keyed by repository: on one topic (or a Key_Shared subscription) a repository's
        // events stay in the order they were stored.
        key: repository.uuid,
        properties: {
          'content-type': 'application/cloudevents+json',
          // The dedup key consumers use (docs/architecture.md, Webhooks): the same on every retry.
          deliveryId: id,
          eventKey,
        },
      });
      seen.keep(id);
      log('info', { ...where, status: 202, messageId });
      return { status: 202, message: `stored as ${id}` };
    } catch (error) {
      // Not stored (or not known to be): forget the id so Bitbucket's retry is taken (at-least-once).
      seen.release(id);
      const why = isGateError(error) ? `${error.code}: ${error.message}` : String(error);
      log('warn', { ...where, status: 503, error: why });
      return { status: 503, message: 'Pulsar did not store the event; retry later' };
    }
  };

  function refuse(status: number, message: string, fields: Record<string, unknown> = {}): Answer {
    log('warn', { ...fields, status, refused: message });
    return { status, message };
  }
}

export type Receive = ReturnType<typeof webhookReceiver>;
