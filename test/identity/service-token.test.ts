import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { decodeJwt } from 'jose';
import { ResponseBodyError } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isGateError } from '../../src/errors.ts';
import { isRetryableGrantError } from '../../src/identity/grant-errors.ts';
import { jwtLifetime, refreshSchedule } from '../../src/identity/token-schedule.ts';
import { clientTokenSource } from '../peers/oauth/client-token-source.ts';
import { type OAuthClientInfo, type OAuthProvider, startOAuthProvider } from '../peers/oauth/provider.ts';

/** A clock the test moves; sleeping moves it too, so retries under a deadline take no real time. */
function manualClock() {
  let now = Date.now();
  const sleeps: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a failure'),
    (error: unknown) => error,
  );
}

describe('client-credentials token source (against oidc-provider)', () => {
  let provider: OAuthProvider;
  beforeAll(async () => {
    provider = await startOAuthProvider({ shortLivedTtlSeconds: 4 });
  });
  afterAll(() => provider.close());
  const issued = (client: OAuthClientInfo) => provider.tokensIssued(client.clientId);

  it('fetches a token on first use and reuses it within its lifetime', async () => {
    const { service } = provider.clients;
    const { source } = clientTokenSource(provider, service);
    const before = issued(service);
    const first = await source();
    expect(decodeJwt(first)).toMatchObject({ aud: provider.audience, sub: service.clientId });
    expect(issued(service)).toBe(before + 1);
    expect(await source()).toBe(first);
    expect(issued(service)).toBe(before + 1);
  });

  it('replaces a short-lived token before it expires (client_secret_post)', async () => {
    const { shortLived } = provider.clients;
    const { source } = clientTokenSource(provider, shortLived);
    const before = issued(shortLived);
    const first = await source();
    await delay(2_500); // past the refresh point (half of 4 s), before the old token's exp
    const second = await source();
    expect(second).not.toBe(first);
    expect((decodeJwt(first).exp ?? 0) * 1000).toBeGreaterThan(Date.now());
    expect(issued(shortLived)).toBe(before + 2);
  });

  it('makes one token request for many concurrent callers', async () => {
    const { service } = provider.clients;
    const { source } = clientTokenSource(provider, service);
    const before = issued(service);
    const tokens = await Promise.all(Array.from({ length: 8 }, () => source()));
    expect(new Set(tokens).size).toBe(1);
    expect(issued(service)).toBe(before + 1);
  });

  it('refuses a wrong secret at once, naming the client id but never the secret', async () => {
    const clock = manualClock();
    const secret = 'wrong-secret-do-not-print';
    const client = { ...provider.clients.service, clientSecret: secret };
    const { source } = clientTokenSource(provider, client, { clock, sleep: clock.sleep });
    const error = await failure(source());
    expect(isGateError(error, 'PULSAR_AUTH')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`client "${client.clientId}" from ${provider.issuer}`);
    expect(message).toContain('invalid_client (HTTP 401)');
    expect(message).not.toContain('\n');
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
    expect(clock.sleeps).toEqual([]); // invalid_client is not retried
  });

  it('keeps serving the held token while the provider is down, until it expires', async () => {
    const own = await startOAuthProvider();
    const clock = manualClock();
    const { service } = own.clients;
    const { source, lines } = clientTokenSource(own, service, { clock, sleep: clock.sleep });
    const held = await source();
    await own.close();
    clock.advance(250_000); // a 300 s token is refreshed from 240 s and expires at 299 s
    expect(await source()).toBe(held);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn: .*could not refresh .*"pulsar-gate-service-.*using the held token/);
    expect(lines.join('\n')).not.toContain(service.clientSecret);
    expect(await source()).toBe(held); // and does not ask again at once
    expect(lines).toHaveLength(1);
    clock.advance(50_000);
    expect(isGateError(await failure(source()), 'PULSAR_AUTH')).toBe(true);
  });

  it('fails after its budget when the provider is down and no token is held', async () => {
    const gone = await startOAuthProvider();
    await gone.close();
    const clock = manualClock();
    const start = clock.now();
    const { source, lines } = clientTokenSource(gone, gone.clients.service, {
      clock,
      sleep: clock.sleep,
      budgetMs: 3_000,
    });
    const error = await failure(source());
    expect(isGateError(error, 'PULSAR_AUTH')).toBe(true);
    expect((error as Error).message).toMatch(/from http:\/\/127\.0\.0\.1:\d+: TypeError: fetch failed/);
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(lines.length).toBe(clock.sleeps.length);
    expect(clock.now() - start).toBeLessThan(3_000);
  });

  it('refreshes in the background after start() and stops after stop()', async () => {
    const own = await startOAuthProvider({ shortLivedTtlSeconds: 2 });
    const { shortLived } = own.clients;
    const { source } = clientTokenSource(own, shortLived);
    source.start();
    await vi.waitFor(() => expect(own.tokensIssued()).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    source.stop();
    const stoppedAt = own.tokensIssued();
    await delay(1_500);
    expect(own.tokensIssued()).toBe(stoppedAt);
    await own.close();
  });
});

describe('refresh schedule', () => {
  it('refreshes when max(30 s, 20%) remains, never in the first half, and expires 1 s early', () => {
    expect(refreshSchedule(0, 300, 30_000)).toEqual({ refreshAt: 240_000, expiresAt: 299_000 });
    expect(refreshSchedule(0, 3600, 30_000)).toEqual({ refreshAt: 2_880_000, expiresAt: 3_599_000 });
    expect(refreshSchedule(0, 100, 30_000)).toEqual({ refreshAt: 70_000, expiresAt: 99_000 });
    expect(refreshSchedule(0, 4, 30_000)).toEqual({ refreshAt: 2_000, expiresAt: 3_000 });
    expect(refreshSchedule(0, undefined, 30_000)).toBeUndefined();
    expect(refreshSchedule(0, 0, 30_000)).toBeUndefined();
  });

  it('falls back to a JWT exp when the response has no expires_in', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_000_600 })).toString('base64url');
    expect(jwtLifetime(`e30.${payload}.sig`, 1_000_000_000)).toBe(600);
    expect(jwtLifetime('an-opaque-token', 1_000_000_000)).toBeUndefined();
  });
});

describe('which token request failures are retried', () => {
  const answer = (status: number, error: string) =>
    new ResponseBodyError('server responded with an error', {
      cause: { error },
      response: new Response(JSON.stringify({ error }), { status }),
    });

  it('retries the network, 429 and 5xx but not client errors or bad arguments', () => {
    expect(isRetryableGrantError(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryableGrantError(answer(429, 'slow_down'))).toBe(true);
    expect(isRetryableGrantError(answer(503, 'temporarily_unavailable'))).toBe(true);
    expect(isRetryableGrantError(answer(400, 'invalid_target'))).toBe(false);
    expect(isRetryableGrantError(answer(401, 'invalid_client'))).toBe(false);
    expect(isRetryableGrantError(Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(
      false,
    );
  });
});
