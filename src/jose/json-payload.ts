const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON value of a verified payload's octets, or undefined when they are not exactly UTF-8
 * JSON (RFC 8259 §8.1). Strict UTF-8: bytes that decode two ways are not JSON we read.
 */
export function payloadJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(strictUtf8.decode(payload));
  } catch {
    return undefined;
  }
}
