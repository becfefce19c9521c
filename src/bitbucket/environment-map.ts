import { GateError } from '../errors.ts';
import { isRecord } from '../lib/is-record.ts';
import { printable } from '../lib/printable.ts';
import type { BitbucketFacts, VerifiedEnvironment } from './facts.ts';
import { isEnvironmentType } from './parse-environment.ts';

/**
 * For set-ups without access to Bitbucket's API: the operator's own map from environment
 * UUID to name and type (`{"{uuid}": {"name": "production", "type": "Production"}}`). An
 * environment not in it is unknown, never guessed; pipelines cannot be looked up at all, so
 * their ref and commit stay unverified (and a policy that needs them denies).
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
    map.set(
      uuid.toLowerCase(),
      Object.freeze({ uuid, name: entry.name, type: entry.type, source: 'environment-map' }),
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
    pipeline: async () => {
      throw new GateError(
        'BITBUCKET_UNAVAILABLE',
        "no Bitbucket API is configured: the pipeline's ref, commit and creator cannot be verified",
      );
    },
  };
}
