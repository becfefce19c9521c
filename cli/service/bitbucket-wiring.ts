import { readFile } from 'node:fs/promises';
import { bitbucketApiFacts } from '../../src/bitbucket/api-facts.ts';
import { environmentMapFacts, parseEnvironmentMap } from '../../src/bitbucket/environment-map.ts';
import type { BitbucketFacts } from '../../src/bitbucket/facts.ts';
import { bitbucketHttp } from '../../src/bitbucket/http-api.ts';
import { GateError } from '../../src/errors.ts';
import { systemClock } from '../../src/time.ts';
import type { ServeConfig } from './serve-config.ts';

/** The facts port `serve` decides with: Bitbucket's API, or the operator's environment map. */
export async function bitbucketFacts(config: ServeConfig['bitbucket']): Promise<BitbucketFacts> {
  if (config.kind === 'map') {
    let text: string;
    try {
      text = await readFile(config.file, 'utf8');
    } catch (cause) {
      const code = cause instanceof Error && 'code' in cause ? String(cause.code) : 'unreadable';
      throw new GateError('CONFIG_INVALID', `ENVIRONMENT_MAP: cannot read ${config.file} (${code})`, {
        cause,
      });
    }
    return environmentMapFacts(parseEnvironmentMap(text, `ENVIRONMENT_MAP ${config.file}`));
  }
  const { token } = config;
  const get = bitbucketHttp({
    baseUrl: config.url,
    accessToken: async () => token,
    timeoutMs: config.timeoutSeconds * 1000,
  });
  return bitbucketApiFacts({ get, ttlMs: config.cacheSeconds * 1000, clock: systemClock });
}
