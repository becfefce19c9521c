import type { ProtectedHeaderParameters } from 'jose';
import { loadJose } from './load.ts';

/**
 * A JWS Compact Serialization (RFC 7515 §7.1) as read before any signature is checked: enough
 * to refuse oversized or shapeless input cheaply and to pick the key by the header's `kid`.
 * Nothing here is trusted until `verifyCompact` has checked the signature.
 */
export interface UnverifiedCompact {
  /** Read by jose's decodeProtectedHeader: a JSON object, or the read fails. */
  readonly header: Readonly<ProtectedHeaderParameters>;
  /** The payload octets (RFC 7515 §2 "JWS Payload"), not verified. */
  readonly payload: Uint8Array;
}

export interface CompactProblem {
  readonly problem: 'oversized' | 'malformed';
  /** One line, safe to print: never quotes the input. */
  readonly message: string;
}

// Three unpadded base64url segments (RFC 7515 §2, §7.1). The payload may be empty in general,
// and an `alg: none` JWS has an empty signature (RFC 7518 §3.6); both are refused later by
// verification with the precise reason.
const COMPACT = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]*)\.[A-Za-z0-9_-]*$/;

/** The one reader of compact serializations: size first, then shape, then jose's decoders. */
export async function readCompact(
  jws: unknown,
  maxBytes: number,
  what: string,
): Promise<UnverifiedCompact | CompactProblem> {
  if (typeof jws !== 'string') return { problem: 'malformed', message: `${what} is not a string` };
  if (jws.length > maxBytes)
    return {
      problem: 'oversized',
      message: `${what} is ${jws.length} bytes, over the ${maxBytes}-byte limit`,
    };
  const shape = COMPACT.exec(jws);
  if (shape === null) return { problem: 'malformed', message: `${what} is not a compact JWS` };
  const { base64url, decodeProtectedHeader } = await loadJose();
  try {
    return { header: decodeProtectedHeader(jws), payload: base64url.decode(shape[1] ?? '') };
  } catch {
    return { problem: 'malformed', message: `${what} has no readable protected header or payload` };
  }
}

export function isCompactProblem(value: UnverifiedCompact | CompactProblem): value is CompactProblem {
  return 'problem' in value;
}
