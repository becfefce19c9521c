/**
 * The decision service's own Pulsar credential: an access token from any OAuth 2.0 / OIDC
 * provider (Okta, Keycloak, …) through the client credentials grant (RFC 6749 §4.4), found
 * by discovery (RFC 8414 / OIDC Discovery 1.0) and scoped to Pulsar with a resource indicator
 * (RFC 8707). The token is cached and replaced before it expires, so a reconnect always
 * presents a token Pulsar still accepts; concurrent callers share one token request.
 */
import * as oidc from 'openid-client';
import { GateError } from '../errors.ts';
import { retry } from '../retry.ts';
import { type Clock, type Sleep, systemClock } from '../time.ts';
import { describeGrantFailure, grantFailure, isRetryableGrantError } from './grant-errors.ts';
import { createRefreshLoop } from './refresh-loop.ts';
import { jwtLifetime, refreshSchedule, type TokenTimes } from './token-schedule.ts';

export interface ClientCredentialsOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** RFC 6749 §2.3.1; servers MUST support basic. Default `client_secret_basic`. */
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
  /** RFC 8707 resource indicator, e.g. the Pulsar audience; the provider's default when absent. */
  readonly resource?: string | undefined;
  readonly scope?: string | undefined;
  /** Plain-http issuers, for tests on loopback only. */
  readonly allowInsecureIssuer: boolean;
  /** Refresh when less than max(this, 20% of the lifetime) remains. Default 30. */
  readonly refreshBeforeSeconds?: number;
  /** Budget for one token fetch with no usable token held, retries included, in ms. Default 30 000. */
  readonly budgetMs?: number;
  /** Timeout of each HTTP request, in ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** How long to keep serving a valid cached token before trying again after a failed refresh. */
  readonly retryAfterFailureMs?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** A `TokenSource` (src/transport/transport.ts) that can also refresh in the background. */
export interface ServiceTokenSource {
  (): Promise<string>;
  /** Refresh proactively on an unref'd timer, so an idle service still holds a fresh token. */
  start(): void;
  stop(): void;
}

type Held = TokenTimes & { readonly value: string };

export function createClientCredentialsTokenSource(options: ClientCredentialsOptions): ServiceTokenSource {
  const clock = options.clock ?? systemClock;
  const client = { issuer: options.issuer, clientId: options.clientId };
  const log = options.log ?? (() => {});
  let config: oidc.Configuration | undefined;
  let held: Held | undefined;
  let pending: Promise<string> | undefined;

  const discover = async (): Promise<oidc.Configuration> => {
    const auth =
      options.authMethod === 'client_secret_post'
        ? oidc.ClientSecretPost(options.clientSecret)
        : oidc.ClientSecretBasic(options.clientSecret);
    config ??= await oidc.discovery(new URL(options.issuer), options.clientId, undefined, auth, {
      timeout: Math.ceil((options.requestTimeoutMs ?? 10_000) / 1000),
      ...(options.allowInsecureIssuer ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
    return config;
  };

  const requestToken = async (): Promise<Held> => {
    const sentAt = clock.now();
    const response = await oidc.clientCredentialsGrant(await discover(), {
      ...(options.resource === undefined ? {} : { resource: options.resource }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    });
    const lifetime = response.expires_in ?? jwtLifetime(response.access_token, sentAt);
    const times = refreshSchedule(sentAt, lifetime, (options.refreshBeforeSeconds ?? 30) * 1000);
    if (times === undefined)
      throw new GateError('PULSAR_AUTH', 'the token response gives no lifetime (expires_in or a JWT exp)');
    return { value: response.access_token, ...times };
  };

  // With a valid token held, one attempt: a failure costs nothing but a later retry. Without
  // one, keep trying (full jitter) until the budget is spent.
  const fetchToken = (retrying: boolean): Promise<Held> =>
    retry(requestToken, {
      baseMs: 250,
      capMs: 5_000,
      deadline: clock.now() + (options.budgetMs ?? 30_000),
      maxAttempts: retrying ? Number.POSITIVE_INFINITY : 1,
      isRetryable: isRetryableGrantError,
      clock,
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      ...(options.random === undefined ? {} : { random: options.random }),
      onRetry: ({ attempt, delayMs, error }) =>
        log(
          'warn',
          `token request ${attempt} for ${options.clientId} failed (${describeGrantFailure(error)}); retrying in ${delayMs} ms`,
        ),
    });

  // One refresh at a time, shared by every caller that arrives while it runs.
  const refresh = async (): Promise<string> => {
    const valid = held !== undefined && clock.now() < held.expiresAt ? held : undefined;
    try {
      held = await fetchToken(valid === undefined);
      return held.value;
    } catch (error) {
      if (valid === undefined || clock.now() >= valid.expiresAt) throw grantFailure(error, client);
      held = {
        ...valid,
        refreshAt: Math.min(clock.now() + (options.retryAfterFailureMs ?? 5_000), valid.expiresAt),
      };
      const left = Math.round((valid.expiresAt - clock.now()) / 1000);
      log(
        'warn',
        `${grantFailure(error, client, 'could not refresh').message}; using the held token (valid ${left} s more)`,
      );
      return valid.value;
    }
  };

  const current = async (): Promise<string> => {
    if (held !== undefined && clock.now() < held.refreshAt) return held.value;
    pending ??= refresh().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  // Real timers, not the injected clock: the loop only decides when to look, current() what.
  const loop = createRefreshLoop(() =>
    current().then(
      () => Math.max(0, (held?.refreshAt ?? 0) - clock.now()),
      (error: unknown) => {
        log('error', error instanceof Error ? error.message : String(error));
        return options.retryAfterFailureMs ?? 5_000;
      },
    ),
  );
  return Object.assign(current, { start: loop.start, stop: loop.stop });
}
