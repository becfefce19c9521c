import { CONTENT_ENCRYPTION, KEY_MANAGEMENT_ALG } from './encryption-algorithms.ts';
import type { EncryptionKey } from './encryption-key.ts';
import { loadJose } from './load.ts';

/** Header members an encrypter sets besides ours; `alg`, `enc` and `kid` are fixed below. */
export interface EncryptedHeader {
  readonly typ: string;
  readonly cty?: string;
}

/**
 * Encrypts `plaintext` to `key` as a JWE Compact Serialization (RFC 7516 §7.1) with jose's
 * CompactEncrypt: ECDH-ES+A256KW (RFC 7518 §4.6, a fresh ephemeral key per message, its
 * public half in the header's `epk`) and A256GCM (§5.3). The protected header — `kid` too —
 * is the GCM additional authenticated data (RFC 7516 §5.1 step 14), so it cannot be changed
 * without the decryption failing.
 */
export async function encryptCompact(
  header: EncryptedHeader,
  plaintext: Uint8Array,
  key: EncryptionKey,
): Promise<string> {
  const { CompactEncrypt } = await loadJose();
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ ...header, alg: KEY_MANAGEMENT_ALG, enc: CONTENT_ENCRYPTION, kid: key.kid })
    .encrypt(key.key);
}
