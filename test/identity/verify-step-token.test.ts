import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStepTokenVerifier,
  type StepTokenVerifier,
  type StepTokenVerifierOptions,
  type TokenRejection,
  type VerifiedStepToken,
} from '../../src/identity/verify-step-token.ts';
import { braceUuid } from '../peers/oidc/claims.ts';
import { type Issuer, startIssuer } from '../peers/oidc/issuer.ts';

// The real test issuer over HTTP: discovery document, JWKS, Bitbucket-shaped tokens.
let issuer: Issuer;
let stranger: Issuer;
let verifier: StepTokenVerifier;

const options = (extra: Partial<StepTokenVerifierOptions> = {}): StepTokenVerifierOptions => ({
  issuers: [issuer.url],
  audiences: [issuer.audience],
  allowInsecureIssuer: true,
  ...extra,
});
const total = (peer: Issuer): number => [...peer.requests.values()].reduce((sum, n) => sum + n, 0);
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function accepted(result: VerifiedStepToken | TokenRejection): VerifiedStepToken {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.message}`);
  return result;
}

/** Asserts the reason, and that the message is one line that gives away no part of the token. */
function expectRejected(result: VerifiedStepToken | TokenRejection, reason: string, token: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  expect(result.message).not.toMatch(/[\r\n]/);
  for (const part of token.split('.').filter((p) => p.length > 8)) expect(result.message).not.toContain(part);
}

beforeAll(async () => {
  [issuer, stranger] = await Promise.all([startIssuer(), startIssuer({ workspace: 'stranger' })]);
  verifier = createStepTokenVerifier(options());
});
afterAll(() => Promise.all([issuer.close(), stranger.close()]));

describe('step-token verifier: accepted tokens', () => {
  it('returns the verified Bitbucket claims and exp as expiresAt', async () => {
    const token = await issuer.mint();
    const result = accepted(await verifier.verify(token));
    // Bitbucket's tokens have no nbf (nor jti): iat and exp are all the verifier has.
    const payload = decodeJwt(token);
    expect(payload).not.toHaveProperty('nbf');
    expect(result.claims).toEqual(payload);
    expect(result.claims.repositoryUuid).toBe(issuer.repositoryUuid);
    expect(result.claims.sub).toBe(
      `${issuer.repositoryUuid}:${issuer.deploymentEnvironmentUuid}:${result.claims.stepUuid}`,
    );
    expect(result.expiresAt.getTime()).toBe(Number(payload.exp) * 1000);
  });

  it('accepts a non-deployment step ({repo}:{step}) and an aud array with one allowed entry', async () => {
    const plain = accepted(await verifier.verify(await issuer.mint({ deploymentEnvironmentUuid: null })));
    expect(plain.claims.deploymentEnvironmentUuid).toBeUndefined();
    expect(plain.claims.sub).toBe(`${issuer.repositoryUuid}:${plain.claims.stepUuid}`);
    const multi = accepted(
      await verifier.verify(await issuer.mint({ aud: ['sts.amazonaws.com', issuer.audience] })),
    );
    expect(multi.claims.aud).toEqual(['sts.amazonaws.com', issuer.audience]);
    // Bitbucket's own array, for a step that lists `oidc: audiences:`: the default comes first.
    const listed = accepted(await verifier.verify(await issuer.mint({ audiences: ['sts.amazonaws.com'] })));
    expect(listed.claims.aud).toEqual([issuer.audience, 'sts.amazonaws.com']);
  });

  it('verifies ES256 issuers with the default algorithm list', async () => {
    const ec = await startIssuer({ algorithm: 'ES256' });
    try {
      const ecVerifier = createStepTokenVerifier({
        ...options(),
        issuers: [ec.url],
        audiences: [ec.audience],
      });
      accepted(await ecVerifier.verify(await ec.mint()));
    } finally {
      await ec.close();
    }
  });
});

describe('step-token verifier: refused tokens', () => {
  it('refuses an unconfigured issuer before any request reaches it', async () => {
    const fresh = createStepTokenVerifier(options());
    const before = total(issuer);
    const foreign = await stranger.mint();
    expectRejected(await fresh.verify(foreign), 'issuer', foreign);
    // Our issuer's iss swapped for the stranger's: the claim alone must not pick the keys.
    const swapped = await issuer.mint({ iss: stranger.url });
    expectRejected(await fresh.verify(swapped), 'issuer', swapped);
    expect(total(stranger)).toBe(0);
    expect(total(issuer)).toBe(before);
  });

  it('refuses a wrong audience, also inside an array', async () => {
    for (const aud of ['ari:cloud:bitbucket::workspace/other', ['a', 'b']]) {
      const token = await issuer.mint({ aud });
      expectRejected(await verifier.verify(token), 'audience', token);
    }
  });

  it('refuses expired tokens, honouring the clock tolerance and the injected clock', async () => {
    const lapsed = await issuer.mint({ expiresInSeconds: -120 });
    expectRejected(await verifier.verify(lapsed), 'expired', lapsed);
    const justLapsed = await issuer.mint({ expiresInSeconds: -10 });
    accepted(await verifier.verify(justLapsed)); // within the default 30 s
    const strict = createStepTokenVerifier(options({ clockToleranceSeconds: 0 }));
    expectRejected(await strict.verify(justLapsed), 'expired', justLapsed);
    const later = createStepTokenVerifier(options({ now: () => new Date(Date.now() + 2 * 3600_000) }));
    const fresh = await issuer.mint();
    expectRejected(await later.verify(fresh), 'expired', fresh);
  });

  it('refuses tokens issued in the future beyond the tolerance', async () => {
    const future = await issuer.mint({ issuedAt: nowSeconds() + 300 });
    expectRejected(await verifier.verify(future), 'not-yet-valid', future);
    accepted(await verifier.verify(await issuer.mint({ issuedAt: nowSeconds() + 10 })));
    const earlier = createStepTokenVerifier(options({ now: () => new Date(Date.now() - 600_000) }));
    const token = await issuer.mint();
    expectRejected(await earlier.verify(token), 'not-yet-valid', token);
  });

  it('refuses a forged signature and a key the issuer does not publish', async () => {
    const forged = await issuer.mint({ signWith: 'unknown-key-same-kid' });
    expectRejected(await verifier.verify(forged), 'signature', forged);
    const unknown = await issuer.mint({ signWith: 'unknown-key' });
    expectRejected(await verifier.verify(unknown), 'unknown-key', unknown);
  });

  it('refuses alg none, the HS256 confusion forgery and unlisted algorithms without any request', async () => {
    const fresh = createStepTokenVerifier(options());
    const before = total(issuer);
    for (const alg of ['none', 'HS256'] as const) {
      const token = await issuer.mint({ alg });
      expectRejected(await fresh.verify(token), 'algorithm', token);
    }
    expect(total(issuer)).toBe(before);
    const esOnly = createStepTokenVerifier(options({ algorithms: ['ES256'] }));
    const rs = await issuer.mint();
    expectRejected(await esOnly.verify(rs), 'algorithm', rs);
  });

  it('requires sub, exp, iat, workspaceUuid, repositoryUuid and stepUuid', async () => {
    for (const claim of ['repositoryUuid', 'workspaceUuid', 'stepUuid', 'sub', 'exp', 'iat'] as const) {
      const token = await issuer.mint({ omit: [claim] });
      const result = await verifier.verify(token);
      expectRejected(result, 'missing-claim', token);
      expect(result.ok ? '' : result.message).toContain(`"${claim}"`);
    }
  });

  it('refuses a token whose sub contradicts its own claims', async () => {
    const step = braceUuid();
    const env = issuer.deploymentEnvironmentUuid;
    const repo = issuer.repositoryUuid;
    const variants = [
      { stepUuid: step, sub: `${braceUuid()}:${env}:${step}` }, // another repository
      { stepUuid: step, sub: `${repo}:${env}:${braceUuid()}` }, // another step
      { stepUuid: step, sub: `${repo}:${step}` }, // hides the deployment environment
      { stepUuid: step, deploymentEnvironmentUuid: null, sub: `${repo}:${env}:${step}` }, // invents one
      { stepUuid: step, sub: `${step}:${env}:${repo}` }, // swapped
      { repositoryUuid: 'payments', stepUuid: step, sub: `payments:${env}:${step}` }, // not a UUID
    ];
    for (const variant of variants) {
      const token = await issuer.mint(variant);
      expectRejected(await verifier.verify(token), 'malformed', token);
    }
  });

  it('refuses input that is not a JWT', async () => {
    for (const token of ['', 'not-a-jwt', 'a.b.c', `${'x'.repeat(20_001)}`]) {
      expectRejected(await verifier.verify(token), 'malformed', token);
    }
  });
});
