// serve as the gate's OIDC issuer (issue 14): what AWS fetches from it, what its tokens are
// worth at STS (the STS peer fetches discovery + JWKS from serve's HTTP port, as AWS does),
// and a key rotation that never leaves a valid token without its key.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GateService,
  PRODUCTION_ROLE,
  STAGING_ROLE,
  startGateService,
} from '../support/gate-service.ts';
import { type PipeFixture, pipeFixture } from '../support/pipe-fixture.ts';
import { runPipe } from '../support/run-pipe.ts';
import { askGate } from './ask-gate.ts';

const TTL_SECONDS = 20;
let fixture: PipeFixture;
let gate: GateService;
beforeAll(async () => {
  fixture = await pipeFixture();
  gate = await startGateService(fixture, { tokenTtlSeconds: TTL_SECONDS });
}, 180_000);
afterAll(async () => {
  await gate?.close();
  await fixture?.close();
});

const get = async (path: string): Promise<string> => (await fetch(`${gate.issuer}${path}`)).text();
const kids = (jwks: string): string[] => JSON.parse(jwks).keys.map((key: { kid: string }) => key.kid);
const assume = (token: string, role = PRODUCTION_ROLE) =>
  new STSClient({ region: 'eu-west-1', endpoint: gate.sts.endpoint, maxAttempts: 1 }).send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: role,
      RoleSessionName: 'gate-test',
      WebIdentityToken: token,
    }),
  );

async function allowedToken(environment = 'production'): Promise<string> {
  const { decision, token } = await askGate(fixture, gate, { environment });
  if (token === undefined) throw new Error(`expected an allow: ${decision.reasons.join('; ')}`);
  return token;
}

describe('serve as the gate issuer', () => {
  it('serves the same two documents `keys publish-oidc` writes, and they verify its gate tokens', async () => {
    const [discovery, jwks] = await Promise.all([
      get('/.well-known/openid-configuration'),
      get('/jwks.json'),
    ]);
    expect(JSON.parse(discovery)).toMatchObject({
      issuer: gate.issuer,
      jwks_uri: `${gate.issuer}/jwks.json`,
    });
    const site = await mkdtemp(join(tmpdir(), 'gate-site-'));
    const gateKeys = join(gate.keysDir, 'gate-keys.json');
    const published = await runPipe(
      {},
      {
        cwd: site,
        args: ['keys', 'publish-oidc', '--issuer', gate.issuer, '--gate-keys', gateKeys, '--out', site],
      },
    );
    expect(published.code, published.output).toBe(0);
    expect(await readFile(join(site, '.well-known', 'openid-configuration'), 'utf8')).toBe(discovery);
    expect(await readFile(join(site, 'jwks.json'), 'utf8')).toBe(jwks);
    expect(jwks).not.toMatch(/"d"/);
    const token = await allowedToken();
    const { payload } = await jwtVerify(token, createLocalJWKSet(JSON.parse(jwks)), {
      issuer: gate.issuer,
      audience: 'sts.amazonaws.com',
    });
    expect(payload.exp).toBe((payload.iat ?? 0) + TTL_SECONDS);
  });

  it('a staging gate token cannot assume a role pinned to production (sub), only the staging one', async () => {
    const token = await allowedToken('staging');
    await expect(assume(token, PRODUCTION_ROLE)).rejects.toMatchObject({ name: 'AccessDenied' });
    const ok = await assume(token, STAGING_ROLE);
    expect(ok.SubjectFromWebIdentityToken).toMatch(/^repo:[0-9a-f-]+:env:staging$/);
  });

  it('a gate token presented after its exp: STS refuses it', async () => {
    const token = await allowedToken();
    const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).exp as number;
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 1_500));
    await expect(assume(token)).rejects.toMatchObject({ name: 'ExpiredTokenException' });
  }, 60_000);

  it('rotation: the next key is published before it signs, and the old key stays while its tokens live', async () => {
    const before = await get('/jwks.json');
    const [current, next] = kids(before);
    const old = await allowedToken();
    expect(decodeProtectedHeader(old).kid).toBe(current);
    // STS has fetched (and caches) the JWKS that already names the next key.
    await assume(old);
    const rotated = await runPipe(
      {},
      { cwd: gate.keysDir, args: ['keys', 'generate', '--out', gate.keysDir, '--gate'] },
    );
    expect(rotated.code, rotated.output).toBe(0);
    gate.serve.child.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (!gate.serve.output().includes(`gate-issuer keys reloaded: signing with ${next}`)) {
      if (Date.now() > deadline) throw new Error(`no reload:\n${gate.serve.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const fresh = await allowedToken();
    expect(decodeProtectedHeader(fresh).kid).toBe(next);
    expect(kids(await get('/jwks.json'))).toEqual([next, expect.any(String), current]);
    // Both verify at STS: the new one with the key it cached before the rotation, the old
    // one because its key is still published.
    await expect(assume(fresh)).resolves.toBeTruthy();
    await expect(assume(old)).resolves.toBeTruthy();
  }, 60_000);
});
