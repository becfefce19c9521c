// The gate token (issue 14) as an attacker meets it: inside a decision, encrypted to one run's
// key. Whoever holds another key — another run, a reader of the reply topic — gets nothing.
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { decisionProblem } from '../../src/events/decision-schema.ts';
import {
  GATE_TOKEN_TYP,
  gateTokenClaims,
  sealGateToken,
  signGateToken,
} from '../../src/events/gate-token.ts';
import { importReplyKey, replyKeyProblem } from '../../src/events/reply-key.ts';
import { requestDataProblem } from '../../src/events/request-schema.ts';
import { openGateToken } from '../../src/gate/open-gate-token.ts';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { importSigningKey } from '../../src/jose/signing-key.ts';
import { gateJwks } from '../../src/keys/gate-keys.ts';
import { generateGateKeySet } from '../../src/keys/service-keys.ts';
import { decisionFor, requestData, signedRun } from './fixtures.ts';

const REPO = '{6f1c2d3e-0000-4000-8000-00000000abcd}';
const NOW = Date.parse('2030-05-01T12:00:00Z');
const NONCE = 'n'.repeat(43);

function facts(change: Partial<Parameters<typeof gateTokenClaims>[0]> = {}) {
  return {
    issuer: 'https://gate.example.com',
    decisionId: 'd-1',
    repositoryUuid: REPO,
    workspaceUuid: '{11111111-2222-4333-8444-555555555555}',
    environment: 'production',
    action: 'deploy',
    ref: 'main',
    commit: 'a'.repeat(40),
    issuedAt: NOW / 1000,
    lifetimeSeconds: 300,
    ...change,
  };
}

async function sealedAllow(decisionId = 'd-1') {
  const set = await generateGateKeySet();
  const signing = await importSigningKey(set.current, 'gate');
  const run = await generateRunEncryptionKey();
  const token = await signGateToken(gateTokenClaims(facts({ decisionId })), signing);
  const jwe = await sealGateToken(token, await importReplyKey({ ...run.publicJwk }));
  const allow = decisionFor(await signedRun(), { verdict: 'allow', decisionId, gateTokenJwe: jwe });
  return { set, run, token, jwe, allow };
}

describe('the gate token', () => {
  it('has the agreed shape: sub repo:<uuid>:env:<slug>, aud sts, jti the decision, tags without braces', async () => {
    const { set, token } = await sealedAllow();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: set.current.kid, typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'https://gate.example.com',
      aud: 'sts.amazonaws.com',
      sub: 'repo:6f1c2d3e-0000-4000-8000-00000000abcd:env:production',
      jti: 'd-1',
      nbf: claims.iat,
      exp: (claims.iat ?? 0) + 300,
      repository_uuid: '6f1c2d3e-0000-4000-8000-00000000abcd',
      workspace_uuid: '11111111-2222-4333-8444-555555555555',
      'https://aws.amazon.com/tags': {
        principal_tags: {
          repository: ['6f1c2d3e-0000-4000-8000-00000000abcd'],
          environment: ['production'],
          action: ['deploy'],
        },
        transitive_tag_keys: ['repository', 'environment', 'action'],
      },
    });
    // It verifies with the published JWKS, which holds no private member.
    const jwks = gateJwks(set, NOW);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
    const key = await importJWK(jwks.keys[0] ?? {}, 'ES256');
    await expect(jwtVerify(token, key, { currentDate: new Date(NOW) })).resolves.toBeTruthy();
  });

  it('refuses to mint a token AWS would refuse: over 300 s, or a tag value with characters STS rejects', () => {
    expect(() => gateTokenClaims(facts({ lifetimeSeconds: 301 }))).toThrow(/1–300 s/);
    expect(() => gateTokenClaims(facts({ environment: 'prod"uction' }))).toThrow(/environment/);
  });

  it("opens with the run's own key only: another run's key, or a reader of the topic, gets nothing", async () => {
    const { run, allow, token, jwe } = await sealedAllow();
    expect(decodeProtectedHeader(jwe)).toMatchObject({ typ: GATE_TOKEN_TYP, cty: 'JWT', enc: 'A256GCM' });
    expect(jwe).not.toContain(token.split('.')[1]);
    expect((await openGateToken(allow, run.privateKey, NOW)).token).toBe(token);
    const other = await generateRunEncryptionKey();
    await expect(openGateToken(allow, other.privateKey, NOW)).rejects.toMatchObject({
      code: 'GATE_TOKEN_INVALID',
    });
    // Same kid, another key: the AES key unwrap fails, it is not a matter of names.
    const sameKid = { kid: run.privateKey.kid, key: other.privateKey.key };
    await expect(openGateToken(allow, sameKid, NOW)).rejects.toThrow(/does not decrypt/);
  });

  it('refuses a token for another decision, an expired one, and an allow without one', async () => {
    const { run, allow } = await sealedAllow('d-2');
    await expect(openGateToken({ ...allow, decisionId: 'd-1' }, run.privateKey, NOW)).rejects.toThrow(/jti/);
    await expect(openGateToken(allow, run.privateKey, NOW + 301_000)).rejects.toThrow(/expired/);
    const { gateTokenJwe: _jwe, ...bare } = allow;
    await expect(openGateToken(bare, run.privateKey, NOW)).rejects.toThrow(/carries no gate token/);
  });

  it('exists on an allow only: a deny or pending with a gate token is malformed', async () => {
    const { allow } = await sealedAllow();
    expect(decisionProblem(allow)).toBeUndefined();
    expect(decisionProblem({ ...allow, verdict: 'deny' })).toMatch(/only with an allow/);
    expect(decisionProblem({ ...allow, verdict: 'pending' })).toMatch(/only with an allow/);
  });
});

describe('data.replyEncryptionKey', () => {
  it('is a public EC P-256 ECDH-ES+A256KW key, and a request carries it', async () => {
    const { publicJwk } = await generateRunEncryptionKey();
    expect(replyKeyProblem(publicJwk)).toBeUndefined();
    expect(
      requestDataProblem({ ...requestData(), nonce: NONCE, replyEncryptionKey: publicJwk }),
    ).toBeUndefined();
  });

  it('refuses a private key, another curve or use, and unknown members', async () => {
    const { publicJwk } = await generateRunEncryptionKey();
    expect(replyKeyProblem({ ...publicJwk, d: 'AAAA' })).toMatch(/private key material/);
    expect(replyKeyProblem({ ...publicJwk, crv: 'P-384' })).toMatch(/crv/);
    expect(replyKeyProblem({ ...publicJwk, use: 'sig' })).toMatch(/use/);
    expect(replyKeyProblem({ ...publicJwk, alg: 'ECDH-ES' })).toMatch(/alg/);
    expect(replyKeyProblem({ ...publicJwk, x5u: 'https://x' })).toMatch(/unknown field/);
    expect(
      requestDataProblem({ ...requestData(), nonce: NONCE, replyEncryptionKey: { ...publicJwk, d: 'AAAA' } }),
    ).toMatch(/private key material/);
  });
});
