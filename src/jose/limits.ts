/**
 * The largest compact serialization (RFC 7515 §7.1) we read of each kind. Checked on the
 * string before anything is decoded, so an attacker-sized message costs a length comparison.
 * A valid compact JWS is ASCII, so its length is its size in bytes.
 */
export const MAX_COMPACT_BYTES = Object.freeze({
  /** A decision is well under 4 KiB. */
  decision: 32 * 1024,
  /** An OIDC token and a JWK make a request a few KiB; this leaves room without inviting abuse. */
  request: 64 * 1024,
  /** A handful of public JWKs. */
  keySet: 64 * 1024,
  /**
   * A checkpoint entry: a trail name, a seq, digests and a consistency proof of at most
   * 2·log2(size) hashes (RFC 9162 §2.1.4.1), under 3 KiB for any trail that fits on a disk.
   */
  checkpoint: 16 * 1024,
  /** An OIDC token or a Pulsar token, read (not verified) by the pipe. */
  token: 16 * 1024,
  /**
   * The step token encrypted to the service (RFC 7516 §7.1): a 16 KiB token grows by a third
   * in base64url, plus a header with an `epk` and the wrapped key, IV and tag.
   */
  tokenJwe: 24 * 1024,
});
