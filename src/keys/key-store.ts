import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { GateError } from '../errors.ts';
import { type CurrentKeySet, readOwnKeySet, type SetKey } from './key-set.ts';

/**
 * The service's keys directory (`pulsar-gate keys generate --out`): service-key.json (the
 * signing key), service-enc-keys.json (the private encryption keys, current and in grace),
 * decision-keys.json (the root pipes pin) and, once rotated, key-set-vNNNN.jws (every
 * announced set, so the whole chain can be announced again).
 */
export const SIGNING_KEY = 'service-key.json';
export const ENCRYPTION_KEYS = 'service-enc-keys.json';
export const ROOT_KEYS = 'decision-keys.json';
/** Every public key the service has signed with: what `audit verify --keys` needs after rotations. */
export const AUDIT_KEYS = 'audit-keys.json';
export const keySetFile = (version: number): string => `key-set-v${String(version).padStart(4, '0')}.jws`;
const KEY_SET_NAME = /^key-set-v(\d{4,})\.jws$/;

export async function readJson(path: string): Promise<unknown> {
  const text = await fs.readFile(path, 'utf8').catch((cause: unknown) => {
    throw new GateError('KEYS_UNAVAILABLE', `cannot read ${path}`, { cause });
  });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new GateError('KEYS_INVALID', `${path} is not JSON`, { cause });
  }
}

/** The `keys` of a stored JWKS (public or private), or none when the file does not exist yet. */
export async function readJwksIfAny(path: string): Promise<JWK[]> {
  const text = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new GateError('KEYS_INVALID', `${path} is not JSON`, { cause });
  }
  if (typeof parsed === 'object' && parsed !== null && 'keys' in parsed && Array.isArray(parsed.keys))
    return parsed.keys as JWK[];
  throw new GateError('KEYS_INVALID', `${path} is not a JWKS`);
}

/** Every announced set, oldest first. */
export async function storedKeySets(dir: string): Promise<Array<{ version: number; jws: string }>> {
  const names = (await fs.readdir(dir)).flatMap((name) => {
    const match = KEY_SET_NAME.exec(name);
    return match?.[1] === undefined ? [] : [{ name, version: Number(match[1]) }];
  });
  names.sort((a, b) => a.version - b.version);
  return Promise.all(
    names.map(async ({ name, version }) => ({
      version,
      jws: (await fs.readFile(join(dir, name), 'utf8')).trim(),
    })),
  );
}

/** The newest set: the last announced one, or the root JWKS as version 0. */
export async function currentKeySet(dir: string): Promise<CurrentKeySet> {
  const last = (await storedKeySets(dir)).at(-1);
  if (last !== undefined) return readOwnKeySet(last.jws, join(dir, keySetFile(last.version)));
  const root = await readJson(join(dir, ROOT_KEYS));
  const keys = typeof root === 'object' && root !== null && 'keys' in root ? root.keys : undefined;
  if (!Array.isArray(keys)) throw new GateError('KEYS_INVALID', `${join(dir, ROOT_KEYS)} is not a JWKS`);
  return { version: 0, digest: null, keys: keys as SetKey[] };
}

/**
 * The root keys, every stored set's keys and `added`, once each and without `notAfter`:
 * an old checkpoint stays verifiable after its key is retired from decisions.
 */
export async function auditKeys(dir: string, added: readonly SetKey[]): Promise<{ keys: SetKey[] }> {
  const root = await readJson(join(dir, ROOT_KEYS));
  const rootKeys =
    typeof root === 'object' && root !== null && 'keys' in root && Array.isArray(root.keys) ? root.keys : [];
  const stored = await storedKeySets(dir);
  const sets = await Promise.all(
    stored.map(async (set) => (await readOwnKeySet(set.jws, keySetFile(set.version))).keys),
  );
  const byKid = new Map<string, SetKey>();
  for (const key of [...(rootKeys as SetKey[]), ...sets.flat(), ...added]) {
    // Encryption keys never sign a checkpoint: they have no place among audit keys.
    if (key.use === 'enc') continue;
    const { notAfter: _notAfter, ...plain } = key;
    if (typeof plain.kid === 'string' && !byKid.has(plain.kid)) byKid.set(plain.kid, plain);
  }
  return { keys: [...byKid.values()] };
}
