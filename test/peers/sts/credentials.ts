/**
 * Temporary credentials shaped like AWS's (AWS STS API Reference, `Credentials`): a 20-char
 * `ASIA…` access key id (ASIA marks temporary keys), a 40-char secret and a long base64
 * session token. Random per call so a test can scan any output for them.
 */
import { randomBytes, randomInt } from 'node:crypto';

export type IssuedCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_CHARS = `${UPPER_ALNUM}abcdefghijklmnopqrstuvwxyz/+`;

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function issueCredentials(): IssuedCredentials {
  return {
    accessKeyId: `ASIA${randomString(UPPER_ALNUM, 16)}`,
    secretAccessKey: randomString(SECRET_CHARS, 40),
    // Real session tokens start with this base64 prefix ("\t\n\x0origin_ec…") and run to
    // several hundred characters.
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(480).toString('base64')}`,
  };
}

/** A role's unique id (`AROA` + 17 chars), stable per role as in IAM. */
export function roleUniqueId(): string {
  return `AROA${randomString(UPPER_ALNUM, 17)}`;
}
