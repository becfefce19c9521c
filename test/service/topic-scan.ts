// Reads every topic of a namespace from its first message, through the real broker, and
// sorts what it finds by the JWS type each message declares (RFC 8725 §3.11): what the
// service signed is told apart from requests and raw dead letters by `typ` alone.
import { randomUUID } from 'node:crypto';
import { isGateError } from '../../src/errors.ts';
import type { IncomingMessage, Transport } from '../../src/transport/transport.ts';
import type { PulsarAdmin } from '../peers/pulsar/admin.ts';

export const DECISION_TYPE = 'application/pulsar-gate.decision+jws';

export interface ScannedMessage {
  readonly topic: string;
  readonly typ: string | undefined;
  readonly properties: IncomingMessage['properties'];
}

/** The protected header's `typ` of a compact JWS; undefined for anything else. */
export function jwsType(payload: Buffer): string | undefined {
  const header = payload.toString('utf8').split('.')[0] ?? '';
  try {
    const typ: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).typ;
    return typeof typ === 'string' ? typ : undefined;
  } catch {
    return undefined;
  }
}

/** Every message of every topic in `namespace` (retention must keep them: set it to -1). */
export async function scanNamespace(
  admin: PulsarAdmin,
  transport: Transport,
  namespace: string,
): Promise<ScannedMessage[]> {
  const found: ScannedMessage[] = [];
  for (const topic of await admin.listTopics(namespace)) {
    const subscription = await transport.subscribe(topic, `scan-${randomUUID()}`, {
      type: 'Exclusive',
      initialPosition: 'Earliest',
    });
    try {
      for (;;) {
        const message = await subscription.receive(Date.now() + 2_000).catch((error: unknown) => {
          if (isGateError(error, 'PULSAR_TIMEOUT')) return undefined;
          throw error;
        });
        if (!message) break;
        found.push({ topic, typ: jwsType(message.payload), properties: message.properties });
      }
    } finally {
      await subscription.close();
    }
  }
  return found;
}
