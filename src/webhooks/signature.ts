import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a delivery's `X-Hub-Signature` header says about its body. */
export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'mismatch';

/** `sha256=` then the 64 lowercase (or uppercase) hex digits of HMAC-SHA256(secret, raw body). */
const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Bitbucket Cloud signs each webhook delivery with the webhook's secret: `X-Hub-Signature:
 * sha256=<hex HMAC-SHA256 of the raw request body>` (Bitbucket Cloud, "Manage webhooks",
 * secure webhooks; HMAC per RFC 2104). The body is checked byte for byte as received, before
 * it is parsed: JSON re-serialised would not be what was signed. The comparison is constant
 * time over fixed-length digests (timingSafeEqual), so an attacker cannot learn the digest a
 * byte at a time. HMAC is not JOSE: node:crypto is the kept library for it.
 *
 * Every secret in `secrets` is tried (a webhook secret being rotated: old and new both valid
 * until Bitbucket has the new one).
 */
export function checkSignature(
  secrets: readonly Uint8Array[],
  body: Uint8Array,
  header: string | undefined,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return 'missing';
  const hex = HEADER.exec(header.trim())?.[1];
  if (hex === undefined) return 'malformed';
  const given = Buffer.from(hex, 'hex');
  let valid = false;
  // Every secret is tried even after a match, so the time taken says nothing about which one.
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (timingSafeEqual(expected, given)) valid = true;
  }
  return valid ? 'valid' : 'mismatch';
}

/** The header a delivery of `body` signed with `secret` carries (the test peer signs with it too). */
export function signatureHeader(secret: Uint8Array, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
