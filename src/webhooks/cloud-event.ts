import { isRecord } from '../lib/is-record.ts';

/** What the receiver knows of a delivery once its signature held. */
export interface Delivery {
  /** `X-Request-UUID`: Bitbucket's id of this delivery, the same on its retries. */
  readonly id: string;
  /** `X-Event-Key`, e.g. `repo:push`. */
  readonly eventKey: string;
  /** `X-Hook-UUID`, `X-Attempt-Number` when Bitbucket sent them. */
  readonly hookUuid?: string;
  readonly attempt?: number;
  /** Bitbucket's payload, parsed from the verified raw body. */
  readonly payload: Record<string, unknown>;
  readonly receivedAt: Date;
}

/** A CloudEvents 1.0 event in structured JSON mode (CloudEvents JSON format §3). */
export interface WebhookEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /** Partitioning extension (CloudEvents extensions/partitioning.md): the repository's UUID. */
  readonly partitionkey: string;
  /** Extensions (lowercase alphanumerics, CloudEvents §3.1.1): Bitbucket's own headers. */
  readonly bitbucketevent: string;
  readonly bitbuckethook?: string;
  readonly bitbucketattempt?: number;
  readonly data: Record<string, unknown>;
}

/** The repository a payload is about, or why it names none. */
export function repositoryOf(payload: Record<string, unknown>): { uuid: string; fullName: string } | string {
  const repository = payload.repository;
  if (!isRecord(repository)) return 'the payload has no repository';
  const { uuid, full_name: fullName } = repository;
  if (typeof uuid !== 'string' || !/^\{[0-9a-f-]{36}\}$/i.test(uuid))
    return 'the payload has no repository.uuid';
  return { uuid, fullName: typeof fullName === 'string' ? fullName : uuid };
}

/**
 * The event for one delivery. `id` is the delivery id, so Bitbucket's retries of a delivery and
 * any copy the receiver publishes twice carry the same id: CloudEvents §3.1.1 makes
 * `source` + `id` unique, and consumers deduplicate on it. `time` is when the receiver took the
 * delivery (Bitbucket sends no time header); `data` is Bitbucket's payload unchanged.
 */
export function webhookEvent(
  delivery: Delivery,
  repository: { uuid: string; fullName: string },
): WebhookEvent {
  const subject = subjectOf(delivery.eventKey, delivery.payload);
  return {
    specversion: '1.0',
    id: delivery.id,
    source: `/bitbucket/${repository.fullName}`,
    type: `org.bitbucket.${delivery.eventKey}`,
    ...(subject === undefined ? {} : { subject }),
    time: delivery.receivedAt.toISOString(),
    datacontenttype: 'application/json',
    partitionkey: repository.uuid,
    bitbucketevent: delivery.eventKey,
    ...(delivery.hookUuid === undefined ? {} : { bitbuckethook: delivery.hookUuid }),
    ...(delivery.attempt === undefined ? {} : { bitbucketattempt: delivery.attempt }),
    data: delivery.payload,
  };
}

/** `pullrequest/<id>`, `commit/<hash>` or `ref/<name>`: what in the repository the event is about. */
function subjectOf(eventKey: string, payload: Record<string, unknown>): string | undefined {
  const pr = payload.pullrequest;
  if (eventKey.startsWith('pullrequest:') && isRecord(pr) && typeof pr.id === 'number')
    return `pullrequest/${pr.id}`;
  const status = payload.commit_status;
  if (isRecord(status) && isRecord(status.commit) && typeof status.commit.hash === 'string')
    return `commit/${status.commit.hash}`;
  const links = isRecord(status) && isRecord(status.links) ? status.links : undefined;
  const commitHref = links && isRecord(links.commit) ? links.commit.href : undefined;
  if (typeof commitHref === 'string') return `commit/${commitHref.split('/').pop() ?? ''}`;
  const push = payload.push;
  const first = isRecord(push) && Array.isArray(push.changes) ? push.changes[0] : undefined;
  const ref = isRecord(first) ? (isRecord(first.new) ? first.new : first.old) : undefined;
  if (isRecord(ref) && typeof ref.name === 'string') return `ref/${ref.name}`;
  return undefined;
}
