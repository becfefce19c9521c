import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { GateError } from '../errors.ts';
import { publicMembersOf } from '../jose/jwk-members.ts';
import { importSigningKey, type NamedSigningKey } from '../jose/signing-key.ts';
import { isRecord } from '../lib/is-record.ts';

/** Where `keys generate --gate` writes the gate-issuer keys, beside the service's other keys. */
export const GATE_KEYS = 'gate-keys.json';
/** The one algorithm gate tokens are signed with: ES256, which IAM accepts for OIDC providers. */
export const GATE_KEY_ALG = 'ES256';

/**
 * The gate-issuer key set (`gate-keys.json`, 0600): the `current` private key signs gate
 * tokens; the `next` private key is published in the JWKS before it signs (AWS caches an
 * issuer's JWKS, so a key must be known before a token names it); `retired` public keys stay
 * published `until` the last token they signed has expired.
 */
export interface GateKeySet {
  readonly current: JWK;
  readonly next?: JWK | undefined;
  readonly retired: ReadonlyArray<{ readonly key: JWK; readonly until: string }>;
}

/** The set as the service holds it: the current key imported to sign, the rest to publish. */
export interface GateKeys {
  readonly signing: NamedSigningKey;
  /** Every published key's public members: current, next, retired (even past `until`). */
  readonly set: GateKeySet;
}

/** Reads and checks a set from its JSON; KEYS_INVALID naming `where` on any problem. */
export async function readGateKeys(file: string): Promise<GateKeys> {
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new GateError('KEYS_UNAVAILABLE', `cannot read the gate key set ${file}`, { cause });
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GateError('KEYS_INVALID', `${file} is not JSON`);
  }
  return importGateKeys(value, file);
}

export async function importGateKeys(value: unknown, where: string): Promise<GateKeys> {
  const set = gateKeySetOf(value, where);
  const signing = await importSigningKey(set.current, `gate-issuer (${where}: current)`);
  if (signing.alg !== GATE_KEY_ALG) throw invalid(`${where}: the current key must be ${GATE_KEY_ALG}`);
  if (set.next !== undefined) await importSigningKey(set.next, `gate-issuer (${where}: next)`);
  return { signing, set };
}

function gateKeySetOf(value: unknown, where: string): GateKeySet {
  if (!isRecord(value) || !isRecord(value.current))
    throw invalid(`${where} is not a gate key set ({ current, next?, retired[] })`);
  const retired = value.retired ?? [];
  if (!Array.isArray(retired)) throw invalid(`${where}: "retired" must be a list`);
  for (const entry of retired) {
    if (
      !isRecord(entry) ||
      !isRecord(entry.key) ||
      typeof entry.until !== 'string' ||
      !Number.isFinite(Date.parse(entry.until))
    )
      throw invalid(`${where}: each retired entry is { key, until: RFC 3339 }`);
  }
  const next = value.next;
  if (next !== undefined && !isRecord(next)) throw invalid(`${where}: "next" must be a JWK`);
  return {
    current: value.current as JWK,
    next: next as JWK | undefined,
    retired: retired as GateKeySet['retired'],
  };
}

/**
 * The public JWKS (RFC 7517 §5) an issuer publishes: current, next, then the retired keys
 * whose `until` is still ahead of `now`. Each key says `use: "sig"`, its `alg` and `kid`.
 */
export function gateJwks(set: GateKeySet, now: number): { keys: JWK[] } {
  const live = set.retired.filter((entry) => Date.parse(entry.until) > now).map((entry) => entry.key);
  const keys = [set.current, ...(set.next ? [set.next] : []), ...live].map((jwk) => ({
    ...publicMembersOf(jwk),
    use: 'sig',
    alg: GATE_KEY_ALG,
  }));
  return { keys };
}

/**
 * One rotation step: `next` becomes `current` (it has been published since the last step), a
 * fresh key becomes `next`, and the old current key is kept, public only, `until` its last
 * token has expired (`now` + the longest token lifetime). Retired keys past `until` are dropped.
 */
export function rotateGateKeys(
  set: GateKeySet,
  fresh: JWK,
  now: number,
  maxTokenSeconds: number,
): GateKeySet {
  if (set.next === undefined) throw invalid('the gate key set has no next key to rotate to');
  const until = new Date(now + maxTokenSeconds * 1000).toISOString();
  return {
    current: set.next,
    next: fresh,
    retired: [
      ...set.retired.filter((entry) => Date.parse(entry.until) > now),
      { key: publicMembersOf(set.current), until },
    ],
  };
}

function invalid(message: string): GateError {
  return new GateError('KEYS_INVALID', message);
}
