import { decodeProtectedHeader, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.ts';
import { DECISION_TYP } from '../../src/events/decision.ts';
import { createDecisionSigner } from '../../src/events/decision-signing.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { decisionFor, type SignedRun, signedRun } from './fixtures.ts';

let privateJwk: JWK;
let run: SignedRun;

beforeAll(async () => {
  ({ privateJwk } = await generateServiceKey());
  run = await signedRun();
});

async function refusal(promise: Promise<unknown>): Promise<GateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GateError)) throw new Error('expected a GateError');
  return error;
}

describe('createDecisionSigner', () => {
  it('signs with header { alg, kid, typ } and nothing else', async () => {
    const signer = await createDecisionSigner(privateJwk);
    const jws = await signer.sign(decisionFor(run));
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', kid: privateJwk.kid, typ: DECISION_TYP });
    expect(JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString())).toEqual(
      decisionFor(run),
    );
  });

  it.each([
    ['no kid', (jwk: JWK) => ({ ...jwk, kid: undefined })],
    ['an HMAC alg', (jwk: JWK) => ({ ...jwk, alg: 'HS256' })],
    ['no alg', (jwk: JWK) => ({ ...jwk, alg: undefined })],
    ['only the public half', (jwk: JWK) => ({ ...jwk, d: undefined })],
    ['a corrupt private scalar', (jwk: JWK) => ({ ...jwk, d: 'AAAA' })],
  ])('refuses a key with %s, without quoting the key', async (_name, change) => {
    const error = await refusal(createDecisionSigner(JSON.parse(JSON.stringify(change(privateJwk))) as JWK));
    expect(error.code).toBe('KEYS_INVALID');
    expect(error.message).not.toContain(privateJwk.d);
    expect(error.cause).toBeUndefined();
  });

  it('refuses to sign a decision the pipe would refuse', async () => {
    const signer = await createDecisionSigner(privateJwk);
    const error = await refusal(signer.sign({ ...decisionFor(run), expiresAt: '2030-05-01T11:00:00Z' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/expiresAt/);
  });
});
