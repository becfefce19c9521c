import { GateError } from '../errors.ts';
import { retry } from '../retry.ts';
import { type Clock, type Sleep, systemClock } from '../time.ts';

export interface BitbucketHttpOptions {
  /** The API root: `https://api.bitbucket.org/2.0` (a test peer elsewhere). */
  readonly baseUrl: string;
  /** The service's own access token (repository/workspace access token or OAuth). */
  readonly accessToken: () => Promise<string>;
  /** The whole look-up, retries included, ends by then: a decision cannot wait longer. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
}

/** GETs one API path and returns its JSON body; every failure is a coded GateError. */
export type BitbucketGet = (path: string) => Promise<unknown>;

/**
 * Rate limits (429) and server errors (5xx) are retried with full jitter under the look-up's
 * deadline; 401/403 (our credential) and 404 (no such thing) are answers, not outages.
 */
export function bitbucketHttp(options: BitbucketHttpOptions): BitbucketGet {
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const base = options.baseUrl.replace(/\/+$/, '');
  return async (path) => {
    const deadline = clock.now() + options.timeoutMs;
    const attempt = async (): Promise<unknown> => {
      const left = Math.max(1, deadline - clock.now());
      const token = await options.accessToken();
      let response: Response;
      try {
        response = await doFetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: AbortSignal.timeout(left),
          redirect: 'error',
        });
      } catch (cause) {
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        throw new GateError(
          'BITBUCKET_UNAVAILABLE',
          timedOut
            ? `Bitbucket's API did not answer within ${options.timeoutMs} ms`
            : "Bitbucket's API is unreachable",
          { cause },
        );
      }
      if (response.ok) {
        try {
          return await response.json();
        } catch (cause) {
          throw new GateError('BITBUCKET_INVALID', "Bitbucket's API answered with something not JSON", {
            cause,
          });
        }
      }
      await response.body?.cancel();
      throw statusError(response.status);
    };
    return retry(attempt, {
      deadline,
      baseMs: 100,
      capMs: 1_000,
      maxAttempts: 4,
      clock,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      isRetryable: (error) => error instanceof GateError && error.code === 'BITBUCKET_UNAVAILABLE',
    });
  };
}

function statusError(status: number): GateError {
  if (status === 401 || status === 403)
    return new GateError(
      'BITBUCKET_AUTH',
      `Bitbucket's API refused the service's credential (HTTP ${status}): check its access token and scopes`,
    );
  if (status === 404)
    return new GateError('BITBUCKET_NOT_FOUND', "Bitbucket's API does not know it (HTTP 404)");
  return new GateError('BITBUCKET_UNAVAILABLE', `Bitbucket's API answered HTTP ${status}`);
}
