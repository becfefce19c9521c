import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import type { BitbucketFacts, VerifiedEnvironment } from './facts.ts';
import { isEnvironmentType, slugOf } from './parse-environment.ts';

/**
 * For set-ups without access to Bitbucket's API: the operator's own map from environment
 * UUID to name and type (`{"{uuid}": {"name": "Production", "type": "Production"}}`, and a
 * `slug` where it is not the name's). An environment not in it is unknown, never guessed;
 * pipelines cannot be looked up at all, so refs and commits stay unverified (the policy sees
 * no `context.pipeline`, and a policy that needs one denies).
 */
export function parseEnvironmentMap(text: string, origin: string): ReadonlyMap<string, VerifiedEnvironment> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new GateError('CONFIG_INVALID', `${origin}: not JSON`, { cause });
  }
  if (!isRecord(json))
    throw new GateError('CONFIG_INVALID', `${origin}: must be an object of UUID → environment`);
  const map = new Map<string, VerifiedEnvironment>();
  for (const [uuid, entry] of Object.entries(json)) {
    if (!/^\{[0-9a-f-]{36}\}$/i.test(uuid))
      throw new GateError('CONFIG_INVALID', `${origin}: ${printable(uuid)} is not a {uuid}`);
    if (!isRecord(entry) || typeof entry.name !== 'string' || !entry.name || !isEnvironmentType(entry.type))
      throw new GateError(
        'CONFIG_INVALID',
        `${origin}: ${uuid} needs a name and a type (Test, Staging or Production)`,
      );
    const slug = typeof entry.slug === 'string' && entry.slug ? entry.slug : slugOf(entry.name);
    map.set(
      uuid.toLowerCase(),
      Object.freeze({ uuid, name: entry.name, slug, type: entry.type, source: 'environment-map' }),
    );
  }
  return map;
}

export function environmentMapFacts(map: ReadonlyMap<string, VerifiedEnvironment>): BitbucketFacts {
  return {
    environment: async (_repository, uuid) => {
      const found = map.get(uuid.toLowerCase());
      if (!found)
        throw new GateError(
          'BITBUCKET_NOT_FOUND',
          `environment ${printable(uuid)} is not in the environment map`,
        );
      return found;
    },
  };
}
