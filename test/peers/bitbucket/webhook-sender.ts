import { randomUUID } from 'node:crypto';
import { signatureHeader } from '../../../src/webhooks/signature.ts';

/** What a delivery carries besides its body; every field can be overridden to attack. */
export interface DeliveryHeaders {
  readonly eventKey: string;
  readonly requestUuid?: string;
  readonly hookUuid?: string;
  readonly attempt?: number;
  /** `undefined`: sign with the secret; `null`: send no X-Hub-Signature; a string: send it as is. */
  readonly signature?: string | null;
}

export interface Sent {
  readonly status: number;
  readonly text: string;
  readonly requestUuid: string;
}

/**
 * Sends deliveries the way Bitbucket Cloud does: `POST` with `Content-Type: application/json`,
 * `User-Agent: Bitbucket-Webhooks/2.0`, `X-Event-Key`, `X-Request-UUID` (one per delivery, the
 * same on retries), `X-Hook-UUID`, `X-Attempt-Number` and `X-Hub-Signature: sha256=<hex>` over
 * the raw body with the webhook's secret.
 */
export function webhookSender(url: string, secret: string, hookUuid = `{${randomUUID()}}`) {
  return async function send(body: unknown, headers: DeliveryHeaders): Promise<Sent> {
    const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    const requestUuid = headers.requestUuid ?? randomUUID();
    const signature =
      headers.signature === undefined ? signatureHeader(Buffer.from(secret, 'utf8'), raw) : headers.signature;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Bitbucket-Webhooks/2.0',
        'x-event-key': headers.eventKey,
        'x-request-uuid': requestUuid,
        'x-hook-uuid': headers.hookUuid ?? hookUuid,
        'x-attempt-number': String(headers.attempt ?? 1),
        ...(signature === null ? {} : { 'x-hub-signature': signature }),
      },
      body: raw,
    });
    return { status: response.status, text: await response.text(), requestUuid };
  };
}
