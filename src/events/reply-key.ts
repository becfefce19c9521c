import { type EncryptionKey, importEncryptionKey } from '../jose/encryption-key.ts';
import { PRIVATE_JWK_MEMBERS } from '../jose/jwk-members.ts';
import { isRecord } from '../lib/is-record.ts';
import { type FieldSpec, fieldsProblem, matching, SHA256_B64URL } from './fields.ts';

/** A P-256 coordinate: 32 octets as base64url (RFC 7518 §6.2.1.2, §6.2.1.3). */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/**
 * `data.replyEncryptionKey`: the public half of the run's own encryption key, what the gate
 * token is encrypted to (docs/formats.md). Exactly these members: an EC P-256 public key for
 * ECDH-ES+A256KW (RFC 7518 §4.6), `use: "enc"` (RFC 7517 §4.2), its RFC 7638 thumbprint as
 * `kid`. Unknown members — `d` or any other private member above all — are refused.
 */
const REPLY_KEY: FieldSpec = {
  kty: [(value) => value === 'EC', true, '"EC"'],
  crv: [(value) => value === 'P-256', true, '"P-256"'],
  x: [matching(COORDINATE), true, 'a base64url P-256 coordinate'],
  y: [matching(COORDINATE), true, 'a base64url P-256 coordinate'],
  kid: [matching(SHA256_B64URL), true, "the key's RFC 7638 thumbprint"],
  alg: [(value) => value === 'ECDH-ES+A256KW', true, '"ECDH-ES+A256KW"'],
  use: [(value) => value === 'enc', true, '"enc"'],
};

/** The first problem with a reply encryption key, or undefined. Never quotes a value. */
export function replyKeyProblem(value: unknown): string | undefined {
  if (isRecord(value) && PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(value, member)))
    return 'data.replyEncryptionKey holds private key material: a request carries only the public half';
  return fieldsProblem(value, 'data.replyEncryptionKey', REPLY_KEY);
}

/**
 * Imports a request's reply key to encrypt to, after the schema check: WebCrypto refuses a
 * point that is not on P-256 (SEC 1 §3.2.2), which keeps an invalid-curve key out. A
 * KEYS_INVALID GateError when it is not a usable key.
 */
export async function importReplyKey(jwk: Readonly<Record<string, unknown>>): Promise<EncryptionKey> {
  return importEncryptionKey(jwk, 'data.replyEncryptionKey');
}
