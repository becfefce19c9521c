import { GateError } from '../../errors.ts';
import type { IncomingMessage, Properties } from '../transport.ts';

/**
 * The JSON frames of Pulsar's WebSocket API (pulsar-site docs/client-libraries-websocket.md).
 * Parsed defensively: a frame we do not understand is reported, never trusted.
 */
export interface SendResult {
  readonly context: string;
  readonly ok: boolean;
  readonly messageId?: string;
  readonly error?: string;
}

export function parseSendResult(text: string): SendResult | undefined {
  const frame = parseObject(text);
  if (frame === undefined || typeof frame.context !== 'string' || typeof frame.result !== 'string')
    return undefined;
  if (frame.result === 'ok' && typeof frame.messageId === 'string') {
    return { context: frame.context, ok: true, messageId: frame.messageId };
  }
  const detail = typeof frame.errorMsg === 'string' ? `${frame.result}: ${frame.errorMsg}` : frame.result;
  return { context: frame.context, ok: false, error: detail };
}

export function parseDelivery(text: string): IncomingMessage | undefined {
  const frame = parseObject(text);
  if (frame === undefined || typeof frame.messageId !== 'string' || typeof frame.payload !== 'string') {
    return undefined;
  }
  const publishTime =
    typeof frame.publishTime === 'string' ? new Date(frame.publishTime) : new Date(Number.NaN);
  return Object.freeze({
    messageId: frame.messageId,
    payload: Buffer.from(frame.payload, 'base64'),
    properties: stringMap(frame.properties),
    publishTime,
    redeliveryCount: typeof frame.redeliveryCount === 'number' ? frame.redeliveryCount : 0,
    ...(typeof frame.key === 'string' ? { key: frame.key } : {}),
  });
}

export function sendFrame(
  context: string,
  payload: Uint8Array | string,
  properties?: Properties,
  key?: string,
): string {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return JSON.stringify({
    payload: bytes.toString('base64'),
    context,
    ...(properties ? { properties } : {}),
    ...(key === undefined ? {} : { key }),
  });
}

/** Refuses a frame the broker would drop with close code 1009 (webSocketMaxTextFrameSize). */
export function checkFrameSize(frame: string, maxFrameBytes: number, topic: string): void {
  const size = Buffer.byteLength(frame);
  if (size > maxFrameBytes) {
    throw new GateError(
      'PULSAR_PAYLOAD_TOO_LARGE',
      `message for ${topic} is ${size} bytes as a WebSocket frame; the broker accepts at most ${maxFrameBytes} (webSocketMaxTextFrameSize)`,
      { details: { size: String(size), limit: String(maxFrameBytes) } },
    );
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringMap(value: unknown): Properties {
  if (typeof value !== 'object' || value === null) return Object.freeze({});
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return Object.freeze(out);
}
