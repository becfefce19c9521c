import { createHash } from 'node:crypto';

/**
 * base64url (RFC 4648 §5, unpadded) SHA-256 of `data` (a string is hashed as its UTF-8): the
 * digest a decision binds to a request's payload, a key set to its predecessor's payload, an
 * audit entry to the one before.
 */
export function sha256Base64url(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('base64url');
}
