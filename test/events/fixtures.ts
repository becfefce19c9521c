import { CompactSign, importJWK, type JWK } from 'jose';
import { expect } from 'vitest';
import type { Decision, DecisionResult } from '../../src/events/decision.ts';
import { createDecisionSigner, type DecisionSigner } from '../../src/events/decision-signing.ts';
import type { BuildRequestInput } from '../../src/events/request.ts';
import { buildRequestEvent, type RequestEvent } from '../../src/events/request.ts';
import {
  createRequestSigner,
  type RequestSigner,
  type SignedRequest,
} from '../../src/events/request-signing.ts';
import { generateServiceKey } from '../../src/keys/service-keys.ts';
import { parseTrustedKeys, type TrustedKeys } from '../../src/keys/trusted-keys.ts';

export const NOW = new Date('2030-05-01T12:00:00.000Z');

/**
 * Shaped like a compact JWE (five segments); request verification checks its shape, the
 * service decrypts it and checks the token inside (P3, P5; test/events/token-seal.test.ts).
 */
export const IDENTITY_TOKEN_JWE = 'eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.a2V5.aXY.Y2lwaGVydGV4dA.dGFn';

export function requestData(): BuildRequestInput['data'] {
  return {
    action: 'deploy',
    environment: 'production',
    pipeline: {
      workspace: 'acme',
      repository: 'acme/web',
      repositoryUuid: '{2b6c1a1e-0d5f-4c1e-9a55-2f3f6c1d8e01}',
      stepUuid: '{6f1e2d3c-4b5a-4978-8b6c-5d4e3f2a1b0c}',
      buildNumber: '42',
      commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
      branch: 'main',
    },
    credentials: {
      roleArn: 'arn:aws:iam::123456789012:role/deploy-production',
      assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/deploy-production/bbp-42',
      sessionName: 'bbp-42',
      expiration: '2030-05-01T13:00:00Z',
      region: 'eu-west-1',
      durationSeconds: 3600,
    },
    replyTopic: 'persistent://platform/gates/replies-42',
    expiresAt: '2030-05-01T12:10:00.000Z',
    identityTokenJwe: IDENTITY_TOKEN_JWE,
  };
}

export function requestEvent(change: (data: BuildRequestInput['data']) => void = () => {}): RequestEvent {
  const data = requestData();
  change(data);
  return buildRequestEvent({ now: NOW, data });
}

export interface SignedRun {
  signer: RequestSigner;
  event: RequestEvent;
  signed: SignedRequest;
}

/** One pipe run: an ephemeral key, an event, its signature. */
export async function signedRun(): Promise<SignedRun> {
  const signer = await createRequestSigner();
  const event = requestEvent();
  return { signer, event, signed: await signer.sign(event) };
}

/** The decision the service would sign for `run`, valid at NOW. */
export function decisionFor(run: SignedRun, change: Partial<Decision> = {}): Decision {
  return {
    requestId: run.signed.requestId,
    requestDigest: run.signed.requestDigest,
    requestKeyThumbprint: run.signed.keyThumbprint,
    nonce: run.event.data.nonce,
    verdict: 'allow',
    reasons: ['policy prod-deploy permits main'],
    policy: { ids: ['prod-deploy'], digest: 'sha256-abc' },
    issuedAt: '2030-05-01T12:00:01.000Z',
    expiresAt: '2030-05-01T12:05:00.000Z',
    ...change,
  };
}

/** What the pipe passes to verifyDecision for `run`. */
export function expectationFor(run: SignedRun, now = new Date('2030-05-01T12:00:02.000Z')) {
  return {
    requestId: run.signed.requestId,
    requestDigest: run.signed.requestDigest,
    nonce: run.event.data.nonce,
    requestKeyThumbprint: run.signed.keyThumbprint,
    now,
  };
}

/** Signs any payload with any header, bypassing the signers' own checks: how an attacker would. */
export async function rawSign(
  payload: unknown,
  header: Record<string, unknown>,
  privateJwk: JWK,
): Promise<string> {
  const alg = String(header.alg);
  const key = await importJWK(privateJwk, alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header, alg })
    .sign(key);
}

/** Re-encodes a compact JWS's payload, keeping its header and signature. */
export function tamperPayload(jws: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(decoded);
  return `${header}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
}

export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export interface DecisionWorld {
  privateJwk: JWK;
  signer: DecisionSigner;
  trusted: TrustedKeys;
}

/** A decision service key and the pipe's DECISION_KEYS that trust it. */
export async function decisionWorld(): Promise<DecisionWorld> {
  const { privateJwk, publicJwks } = await generateServiceKey();
  return {
    privateJwk,
    signer: await createDecisionSigner(privateJwk),
    trusted: await parseTrustedKeys(publicJwks, 'test'),
  };
}

/** The rejection reason, asserting the message is one line (safe for the step log). */
export function rejected(result: DecisionResult): string {
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(result.message).not.toMatch(/[\r\n]/);
  return result.reason;
}
