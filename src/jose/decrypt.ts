import type { CompactJWEHeaderParameters, CryptoKey } from 'jose';
import { printable } from '../lib/printable.ts';
import { CONTENT_ENCRYPTION, KEY_MANAGEMENT_ALG } from './encryption-algorithms.ts';
import { loadJose } from './load.ts';
import { typMatches } from './media-type.ts';

export type DecryptionProblem =
  | 'oversized'
  | 'malformed'
  | 'wrong-type'
  | 'unsupported-algorithm'
  | 'unknown-key'
  | 'decryption';

export type CompactDecryption =
  | {
      readonly ok: true;
      readonly header: Readonly<CompactJWEHeaderParameters>;
      readonly plaintext: Uint8Array;
    }
  | { readonly ok: false; readonly reason: DecryptionProblem; readonly message: string };

/** The key for a `kid`, or why there is none (unknown, retired): one line, printable. */
export type DecryptionKeyLookup = (kid: string) => Promise<CryptoKey | { readonly refused: string }>;

// Five base64url segments (RFC 7516 §7.1). The encrypted key is empty for `dir` and ECDH-ES
// direct agreement: let those through to be named by the algorithm check below.
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Decrypts a compact JWE of ours (RFC 7516 §5.2): size, shape, then the protected header —
 * exactly our `typ`, `alg` and `enc` (RFC 8725 §3.1: the header never picks an algorithm we
 * did not choose), no `crit` and no `zip` (compression before encryption leaks length,
 * RFC 8725 §3.6) — then the key by `kid`, then jose's compactDecrypt restricted to the same
 * pair. Never throws; a problem's message never quotes the input.
 */
export async function decryptCompact(
  jwe: unknown,
  options: {
    readonly maxBytes: number;
    readonly typ: string;
    readonly what: string;
    readonly keyFor: DecryptionKeyLookup;
  },
): Promise<CompactDecryption> {
  const { what } = options;
  const refuse = (reason: DecryptionProblem, message: string): CompactDecryption => ({
    ok: false,
    reason,
    message,
  });
  if (typeof jwe !== 'string') return refuse('malformed', `${what} is not a string`);
  if (jwe.length > options.maxBytes)
    return refuse('oversized', `${what} is ${jwe.length} bytes, over the ${options.maxBytes}-byte limit`);
  if (!COMPACT_JWE.test(jwe)) return refuse('malformed', `${what} is not a compact JWE`);
  const { compactDecrypt, decodeProtectedHeader } = await loadJose();
  let header: CompactJWEHeaderParameters;
  try {
    header = decodeProtectedHeader(jwe) as CompactJWEHeaderParameters;
  } catch {
    return refuse('malformed', `${what} has no readable protected header`);
  }
  if (!typMatches(header.typ, options.typ)) return refuse('wrong-type', `${what} typ is not ${options.typ}`);
  if (header.alg !== KEY_MANAGEMENT_ALG || header.enc !== CONTENT_ENCRYPTION)
    return refuse('unsupported-algorithm', `${what} is not ${KEY_MANAGEMENT_ALG} with ${CONTENT_ENCRYPTION}`);
  if (header.crit !== undefined || header.zip !== undefined)
    return refuse('malformed', `${what} header has "crit" or "zip"`);
  if (typeof header.kid !== 'string') return refuse('unknown-key', `${what} header names no "kid"`);
  const key = await options.keyFor(header.kid);
  if (!('type' in key)) return refuse('unknown-key', `${what}: ${key.refused}`);
  try {
    const { plaintext } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: [KEY_MANAGEMENT_ALG],
      contentEncryptionAlgorithms: [CONTENT_ENCRYPTION],
    });
    return { ok: true, header, plaintext };
  } catch {
    // jose's message is not kept: one reason for every failure (a wrong key, a changed header,
    // ciphertext, IV or tag, an epk off the curve), as RFC 7516 §11.5 advises.
    return refuse('decryption', `${what} does not decrypt with kid ${printable(header.kid)}`);
  }
}
