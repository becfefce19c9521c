import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GateError } from '../../src/errors.ts';
import {
  createStepTokenVerifier,
  type StepTokenVerifierOptions,
  type TokenRejection,
  type VerifiedStepToken,
} from '../../src/identity/verify-step-token.ts';
import { type Issuer, startIssuer } from '../peers/oidc/issuer.ts';

// Discovery and JWKS behaviour against the real test issuer: caching, rotation, outages.
let issuer: Issuer;
beforeEach(async () => {
  issuer = await startIssuer();
});
afterEach(() => issuer.close());

const options = (extra: Partial<StepTokenVerifierOptions> = {}): StepTokenVerifierOptions => ({
  issuers: [issuer.url],
  audiences: [issuer.audience],
  allowInsecureIssuer: true,
  ...extra,
});
const jwksHits = (): number => issuer.requests.get(new URL(issuer.jwksUri).pathname) ?? 0;
const discoveryHits = (): number =>
  issuer.requests.get(`${new URL(issuer.url).pathname}/.well-known/openid-configuration`) ?? 0;
const reasonOf = (result: VerifiedStepToken | TokenRejection): string => (result.ok ? 'ok' : result.reason);

describe('issuer keys: caching and rotation', () => {
  it('discovers once and fetches the JWKS once across 20 verifications, even concurrent ones', async () => {
    const verifier = createStepTokenVerifier(options());
    const tokens = await Promise.all(Array.from({ length: 10 }, () => issuer.mint()));
    expect((await Promise.all(tokens.map((t) => verifier.verify(t)))).map(reasonOf)).toEqual(
      tokens.map(() => 'ok'),
    );
    for (const token of tokens) expect(reasonOf(await verifier.verify(token))).toBe('ok');
    expect([discoveryHits(), jwksHits()]).toEqual([1, 1]);
  });
});

// jose measures its cooldown and cache age with Date.now(), the verifier with its clock: fake
// only Date, so the cooldowns pass by decree rather than by sleeping (and by racing keygen).
describe('issuer keys: cooldowns and outages', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const later = (ms: number): void => {
    vi.setSystemTime(Date.now() + ms);
  };

  it('picks up a rotated key with exactly one extra JWKS fetch once the cooldown has passed', async () => {
    const verifier = createStepTokenVerifier(options());
    const before = await issuer.mint();
    expect(reasonOf(await verifier.verify(before))).toBe('ok');
    await issuer.rotateKey();
    later(30_001);
    expect(reasonOf(await verifier.verify(await issuer.mint()))).toBe('ok');
    expect(reasonOf(await verifier.verify(before))).toBe('ok'); // the old key is still listed
    expect(reasonOf(await verifier.verify(await issuer.mint()))).toBe('ok');
    expect(jwksHits()).toBe(2);
  });

  it('does not refetch for a new kid inside the cooldown (jose), then does after it', async () => {
    const verifier = createStepTokenVerifier(options());
    expect(reasonOf(await verifier.verify(await issuer.mint()))).toBe('ok');
    await issuer.rotateKey();
    const rotated = await issuer.mint();
    later(29_000);
    expect(reasonOf(await verifier.verify(rotated))).toBe('unknown-key');
    expect(jwksHits()).toBe(1);
    later(1_001);
    expect(reasonOf(await verifier.verify(rotated))).toBe('ok');
    expect(jwksHits()).toBe(2);
  });

  it('bounds refetches when many unknown-kid tokens arrive in a row', async () => {
    const verifier = createStepTokenVerifier(options());
    expect(reasonOf(await verifier.verify(await issuer.mint()))).toBe('ok');
    const forged = await Promise.all(
      Array.from({ length: 20 }, () => issuer.mint({ signWith: 'unknown-key' })),
    );
    for (const token of forged) expect(reasonOf(await verifier.verify(token))).toBe('unknown-key');
    expect(jwksHits()).toBe(1); // just fetched: inside the cooldown
    later(30_001);
    const burst = await Promise.all(forged.map((token) => verifier.verify(token)));
    for (const token of forged) burst.push(await verifier.verify(token));
    expect(new Set(burst.map(reasonOf))).toEqual(new Set(['unknown-key']));
    expect(jwksHits()).toBe(2); // one refetch for 40 tokens
  });

  it('answers keys-unavailable on a JWKS outage, pauses, and recovers after the cooldown', async () => {
    issuer.setJwksFailure(503);
    const verifier = createStepTokenVerifier(options());
    const token = await issuer.mint();
    for (let i = 0; i < 5; i++) expect(reasonOf(await verifier.verify(token))).toBe('keys-unavailable');
    expect(jwksHits()).toBe(1); // the other four waited out the cooldown without a request
    issuer.setJwksFailure(null);
    later(29_000);
    expect(reasonOf(await verifier.verify(token))).toBe('keys-unavailable');
    later(1_001);
    expect(reasonOf(await verifier.verify(token))).toBe('ok');
    expect(jwksHits()).toBe(2);
  });

  it('stops using held keys past their max age when the JWKS is down', async () => {
    const verifier = createStepTokenVerifier(options());
    const token = await issuer.mint();
    expect(reasonOf(await verifier.verify(token))).toBe('ok');
    issuer.setJwksFailure(503);
    later(9 * 60_000);
    expect(reasonOf(await verifier.verify(token))).toBe('ok'); // cached, no request
    later(60_001);
    expect(reasonOf(await verifier.verify(token))).toBe('keys-unavailable');
    expect(jwksHits()).toBe(2);
  });

  it('keeps verifying with fresh held keys, without requests, after a failed unknown-kid refetch', async () => {
    const verifier = createStepTokenVerifier(options());
    const good = await issuer.mint();
    expect(reasonOf(await verifier.verify(good))).toBe('ok');
    issuer.setJwksFailure(503);
    const forged = await Promise.all(
      Array.from({ length: 10 }, () => issuer.mint({ signWith: 'unknown-key' })),
    );
    later(30_001);
    expect(reasonOf(await verifier.verify(forged[0] ?? ''))).toBe('keys-unavailable');
    for (const token of forged) expect(reasonOf(await verifier.verify(token))).toBe('unknown-key');
    expect(reasonOf(await verifier.verify(good))).toBe('ok');
    expect(jwksHits()).toBe(2);
  });

  it('retries a failed discovery only after the cooldown', async () => {
    let calls = 0;
    let failing = true;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (failing) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const verifier = createStepTokenVerifier(options({ fetch: flaky }));
    const token = await issuer.mint();
    expect(reasonOf(await verifier.verify(token))).toBe('keys-unavailable');
    failing = false;
    later(29_000);
    expect(reasonOf(await verifier.verify(token))).toBe('keys-unavailable');
    expect(calls).toBe(1);
    later(1_001);
    expect(reasonOf(await verifier.verify(token))).toBe('ok');
    expect(calls).toBe(3); // discovery + JWKS, both through the injected fetch
    expect([discoveryHits(), jwksHits()]).toEqual([1, 1]);
  });
});

describe('issuer keys: failing closed', () => {
  it('answers keys-unavailable within the timeout when the JWKS never answers', async () => {
    issuer.setJwksFailure('hang');
    const verifier = createStepTokenVerifier(options({ timeoutMs: 300 }));
    const started = performance.now();
    const result = await verifier.verify(await issuer.mint());
    const elapsed = performance.now() - started;
    expect(reasonOf(result)).toBe('keys-unavailable');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('times out a discovery that never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/oidc`;
    try {
      const verifier = createStepTokenVerifier(options({ issuers: [url], timeoutMs: 300 }));
      const started = performance.now();
      expect(reasonOf(await verifier.verify(await issuer.mint({ iss: url })))).toBe('keys-unavailable');
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a discovery document that names another issuer (OIDC Discovery §4.3)', async () => {
    const slashed = `${issuer.url}/`; // same server, so the document says issuer.url
    const verifier = createStepTokenVerifier(options({ issuers: [slashed] }));
    expect(reasonOf(await verifier.verify(await issuer.mint({ iss: slashed })))).toBe('keys-unavailable');
    expect(jwksHits()).toBe(0);
  });

  it('compares the discovered issuer exactly, not as a normalised URL', async () => {
    // openid-client accepts this pair (same URL once normalised); OIDC Discovery §4.3 does not.
    const configured = 'https://Issuer.example:443/oidc';
    const fake: typeof fetch = async () =>
      Response.json({
        issuer: 'https://issuer.example/oidc',
        jwks_uri: 'https://issuer.example/oidc/keys.json',
      });
    const verifier = createStepTokenVerifier({
      issuers: [configured],
      audiences: [issuer.audience],
      fetch: fake,
    });
    const result = await verifier.verify(await issuer.mint({ iss: configured }));
    expect(reasonOf(result)).toBe('keys-unavailable');
    expect(result.ok ? '' : result.message).toContain('another issuer');
  });

  it('refuses a plain-http jwks_uri from an https issuer without fetching it', async () => {
    const https = 'https://issuer.example/oidc';
    const seen: string[] = [];
    const fake: typeof fetch = async (input) => {
      seen.push(String(input));
      return Response.json({
        issuer: https,
        jwks_uri: issuer.jwksUri,
        response_types_supported: ['id_token'],
      });
    };
    const verifier = createStepTokenVerifier({ issuers: [https], audiences: [issuer.audience], fetch: fake });
    expect(reasonOf(await verifier.verify(await issuer.mint({ iss: https })))).toBe('keys-unavailable');
    expect(seen).toEqual([`${https}/.well-known/openid-configuration`]);
    expect(jwksHits()).toBe(0);
  });
});

describe('issuer keys: configuration', () => {
  const refusal = (extra: Partial<StepTokenVerifierOptions>): unknown => {
    try {
      createStepTokenVerifier({ ...options(), ...extra });
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses an http issuer unless allowInsecureIssuer is set', () => {
    const error = refusal({ allowInsecureIssuer: false });
    expect(error).toBeInstanceOf(GateError);
    expect(error instanceof GateError && error.code).toBe('CONFIG_INVALID');
    expect(refusal({ allowInsecureIssuer: true })).toBeUndefined();
  });

  it('refuses none, HS*, empty lists and malformed issuers', () => {
    for (const extra of [
      { algorithms: ['none'] },
      { algorithms: ['HS256'] },
      { algorithms: [] },
      { issuers: [] },
      { audiences: [] },
      { issuers: ['https://issuer.example/oidc?x=1'] },
      { issuers: ['ftp://issuer.example/oidc'] },
      { timeoutMs: 0 },
    ]) {
      expect(refusal(extra), JSON.stringify(extra)).toBeInstanceOf(GateError);
    }
  });
});
