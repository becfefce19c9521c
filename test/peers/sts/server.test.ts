import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, DEPLOY_ROLE, type Harness, rejection, startHarness } from './harness.ts';

describe('STS peer: AssumeRoleWithWebIdentity with the real SDK', () => {
  let h: Harness;
  const tokens: string[] = [];
  const mint = async (options?: Parameters<Harness['issuer']['mint']>[0]) => {
    const token = await h.issuer.mint(options);
    tokens.push(token);
    return token;
  };
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('returns credentials, the assumed-role user and the token subject', async () => {
    const token = await mint();
    const started = Date.now();
    const out = await h.assume({
      WebIdentityToken: token,
      DurationSeconds: 900,
      RoleSessionName: 'bb-step-1',
    });
    const { Credentials: c } = out;
    expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(c?.SecretAccessKey).toHaveLength(40);
    expect(c?.SessionToken?.length).toBeGreaterThanOrEqual(300);
    expect(Math.abs((c?.Expiration?.getTime() ?? 0) - (started + 900_000))).toBeLessThan(5_000);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deploy-production/bb-step-1`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:bb-step-1$/);
    expect(out.SubjectFromWebIdentityToken).toBe(decodeJwt(token).sub);
    expect(out.Audience).toBe(h.issuer.audience);
    expect(out.Provider).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/${h.issuer.url.replace('http://', '')}`);
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    expect(h.sts.issued.at(-1)).toEqual({
      accessKeyId: c?.AccessKeyId,
      secretAccessKey: c?.SecretAccessKey,
      sessionToken: c?.SessionToken,
    });
    expect(h.sts.calls.at(-1)).toMatchObject({
      roleArn: DEPLOY_ROLE,
      sessionName: 'bb-step-1',
      durationSeconds: 900,
    });
    expect(h.sts.calls.at(-1)?.outcome).toBe('ok');
    expect(h.sts.sessions.at(-1)).toEqual({
      roleArn: DEPLOY_ROLE,
      sessionName: 'bb-step-1',
      subject: decodeJwt(token).sub,
      audience: h.issuer.audience,
      provider: out.Provider,
      tags: {},
      transitiveTagKeys: [],
      expiration: c?.Expiration,
    });
  });

  it('a tagged token needs sts:TagSession, which a short-form role does not allow', async () => {
    const tags = { principal_tags: { environment: ['production'] }, transitive_tag_keys: [] };
    const claims = { ...decodeJwt(await mint()), 'https://aws.amazon.com/tags': tags };
    const sessions = h.sts.sessions.length;
    const error = await rejection(h.assume({ WebIdentityToken: await mint({ claims }) }));
    expect(error.name).toBe('AccessDenied');
    expect(h.sts.calls.at(-1)?.reason).toMatch(/no statement allows sts:TagSession/);
    expect(h.sts.sessions).toHaveLength(sessions);
  });

  it('speaks the Query protocol: form body in, AWS XML out, InvalidAction for other actions', async () => {
    const form = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: DEPLOY_ROLE,
      RoleSessionName: 'raw',
      WebIdentityToken: await mint(),
    });
    const ok = await fetch(h.sts.endpoint, { method: 'POST', body: form });
    const xml = await ok.text();
    expect(ok.headers.get('content-type')).toBe('text/xml');
    expect(xml).toMatch(
      /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<AssumeRoleWithWebIdentityResult>\s*<Credentials>\s*<AccessKeyId>ASIA/,
    );
    expect(xml).toMatch(/<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
    expect(xml).toMatch(/<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>/);
    form.set('Action', 'GetCallerIdentity');
    const bad = await fetch(h.sts.endpoint, { method: 'POST', body: form });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(
      /<ErrorResponse[^>]*>\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>InvalidAction<\/Code>\s*<Message>[^<]+<\/Message>\s*<\/Error>\s*<RequestId>/,
    );
  });

  it('retries Throttling and 503 with the SDK defaults and succeeds on the third attempt', async () => {
    h.sts.failNext(2, 'Throttling');
    const throttled = await h.assume({ WebIdentityToken: await mint() }, h.client());
    expect(throttled.$metadata.attempts).toBe(3);
    expect(h.sts.calls.slice(-3).map((c) => c.outcome)).toEqual(['Throttling', 'Throttling', 'ok']);
    h.sts.failNext(2, 'ServiceUnavailable');
    expect((await h.assume({ WebIdentityToken: await mint() }, h.client())).$metadata.attempts).toBe(3);
  });

  it('gives up after three attempts of InternalFailure and IDPCommunicationError', async () => {
    h.sts.failNext(3, 'InternalFailure');
    const internal = await rejection(h.assume({ WebIdentityToken: await mint() }, h.client()));
    expect(internal.name).toBe('InternalFailure');
    expect(internal.$metadata).toMatchObject({ attempts: 3, httpStatusCode: 500 });
    h.sts.failNext(3, 'IDPCommunicationError');
    const idp = await rejection(h.assume({ WebIdentityToken: await mint() }, h.client()));
    expect(idp.name).toBe('IDPCommunicationErrorException');
    expect(idp.$metadata.attempts).toBe(3);
  });

  it('caches the issuer’s discovery document and JWKS across calls, refetching on a new kid', async () => {
    const jwksPath = new URL(h.issuer.jwksUri).pathname;
    const discoveryPath = `${new URL(h.issuer.url).pathname}/.well-known/openid-configuration`;
    await h.assume({ WebIdentityToken: await mint() });
    const before = { jwks: h.issuer.requests.get(jwksPath), discovery: h.issuer.requests.get(discoveryPath) };
    expect(before.jwks).toBe(1);
    for (let i = 0; i < 3; i++) await h.assume({ WebIdentityToken: await mint() });
    expect(h.issuer.requests.get(jwksPath)).toBe(1);
    expect(h.issuer.requests.get(discoveryPath)).toBe(1);
    await h.issuer.rotateKey();
    await h.assume({ WebIdentityToken: await mint() });
    expect(h.issuer.requests.get(jwksPath)).toBe(2);
  });

  it('never records the token or the issued secrets in calls or sessions', () => {
    const recorded = JSON.stringify([h.sts.calls, h.sts.sessions]);
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(recorded).not.toContain(token.split('.')[2] ?? token);
    for (const { secretAccessKey, sessionToken } of h.sts.issued) {
      expect(recorded).not.toContain(secretAccessKey);
      expect(recorded).not.toContain(sessionToken);
    }
    expect(recorded).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
