import { createHash } from 'node:crypto';
import { isRecord } from '../lib/is-record.ts';

/**
 * The parts of a JWS Compact Serialization (RFC 7515 §7.1) read before any crypto runs, so a
 * verifier can refuse oversized or shapeless input cheaply and pick the key from the header.
 */
export interface CompactParts {
  readonly header: Readonly<Record<string, unknown>>;
}

export type CompactProblem = { readonly problem: 'oversized' | 'malformed'; readonly message: string };

// Three base64url segments (RFC 7515 §2: no padding). Payload and signature may be empty in
// general (`alg: none`); such input is refused later with the precise reason.
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function readCompact(jws: unknown, maxBytes: number, what: string): CompactParts | CompactProblem {
  if (typeof jws !== 'string') return { problem: 'malformed', message: `${what} is not a string` };
  // A valid compact JWS is ASCII, so its length is its size in bytes; check before any parsing.
  if (jws.length > maxBytes) {
    return {
      problem: 'oversized',
      message: `${what} is ${jws.length} bytes, over the ${maxBytes}-byte limit`,
    };
  }
  if (!COMPACT.test(jws)) return { problem: 'malformed', message: `${what} is not a compact JWS` };
  const header = parseJson(jws.slice(0, jws.indexOf('.')));
  if (!isRecord(header)) return { problem: 'malformed', message: `${what} has no readable protected header` };
  return { header };
}

/** Decodes base64url JSON, or undefined when it is not exactly that. */
export function parseJson(segment: string): unknown {
  try {
    return JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
  } catch {
    return undefined;
  }
}

export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * RFC 7515 §4.1.9: `typ` values without a "/" mean "application/<value>", and media types
 * compare case-insensitively, so both spellings of our type are accepted.
 */
export function typMatches(typ: unknown, expected: string): boolean {
  if (typeof typ !== 'string') return false;
  const full = typ.includes('/') ? typ : `application/${typ}`;
  return full.toLowerCase() === expected.toLowerCase();
}

/** base64url SHA-256 of the exact JWS payload octets: the request digest a decision is bound to. */
export function sha256Base64url(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}
