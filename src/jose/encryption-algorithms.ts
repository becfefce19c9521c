/**
 * The one JWE algorithm pair we use and accept (RFC 7516, RFC 7518): key agreement with an
 * ephemeral EC P-256 key wrapping a random content key (ECDH-ES+A256KW, RFC 7518 §4.6), and
 * AES-256-GCM for the content (§5.3). An allow-list of one: a JWE naming anything else —
 * `dir`, RSA1_5, PBES2, a CBC-HMAC `enc` — is refused before any key is touched (RFC 8725 §3.1).
 */
export const KEY_MANAGEMENT_ALG = 'ECDH-ES+A256KW' as const;
export const CONTENT_ENCRYPTION = 'A256GCM';
/** The curve of our encryption keys (RFC 7518 §6.2.1.1); X25519 is not accepted (yet). */
export const ENCRYPTION_CURVE = 'P-256' as const;
/** RFC 7517 §4.2: the one `use` an encryption key is published with. */
export const ENCRYPTION_USE = 'enc' as const;
