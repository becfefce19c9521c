// HS256 tokens for Pulsar's AuthenticationProviderToken. The broker reads the role from `sub`
// (tokenAuthClaim default), and needs a key of at least 256 bits (jjwt rejects weaker keys).
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/** A fresh 32-byte HS256 secret, base64-encoded (the form `tokenSecretKey=data:;base64,…` takes). */
export function newTokenSecret(): string {
  return randomBytes(32).toString('base64');
}

/** Mints a token for `sub` signed with the broker's secret. No `exp`: test brokers are throwaway. */
export async function mintToken(secretBase64: string, sub: string): Promise<string> {
  const key = new Uint8Array(Buffer.from(secretBase64, 'base64'));
  return new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).sign(key);
}
