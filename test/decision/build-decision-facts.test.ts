import { describe, expect, it } from 'vitest';
import { buildDecisionFacts, deniedInstead } from '../../src/decision/build-decision-facts.ts';
import type { VerifiedStep } from '../../src/decision/decision-facts.ts';
import { NOW, requestData, requestEvent } from '../events/fixtures.ts';

const CLAIMS: VerifiedStep = {
  iss: 'https://issuer.test',
  sub: '{2b6c1a1e-0d5f-4c1e-9a55-2f3f6c1d8e01}:{6f1e2d3c-4b5a-4978-8b6c-5d4e3f2a1b0c}',
  workspaceUuid: '{0a0b0c0d-0000-4000-8000-000000000001}',
  repositoryUuid: '{2b6c1a1e-0d5f-4c1e-9a55-2f3f6c1d8e01}',
  stepUuid: '{6f1e2d3c-4b5a-4978-8b6c-5d4e3f2a1b0c}',
  pipelineUuid: '{0a0b0c0d-0000-4000-8000-000000000002}',
  branchName: 'release',
};
const ALLOW = { verdict: 'allow', determining: ['prod-deploy'], reasons: ['allowed'] } as const;
const facts = (change: Partial<Parameters<typeof buildDecisionFacts>[0]> = {}) =>
  buildDecisionFacts({
    event: requestEvent(),
    claims: CLAIMS,
    result: ALLOW,
    policyDigest: 'digest-1',
    decidedAt: NOW,
    ...change,
  });

describe('buildDecisionFacts', () => {
  it('names the caller by the verified claims and labels the request’s own word `asked`', () => {
    const f = facts();
    expect(f.verified).toEqual({
      iss: CLAIMS.iss,
      sub: CLAIMS.sub,
      workspaceUuid: CLAIMS.workspaceUuid,
      repositoryUuid: CLAIMS.repositoryUuid,
      stepUuid: CLAIMS.stepUuid,
      pipelineUuid: CLAIMS.pipelineUuid,
      branchName: 'release',
    });
    // The request says `main`; the token says `release`: each stays on its own side.
    const { pipeline, credentials } = requestData();
    expect(pipeline.branch).toBe('main');
    expect(f.asked).toEqual({
      action: 'deploy',
      environment: 'production',
      pipeline,
      role: { roleArn: credentials.roleArn, sessionName: credentials.sessionName },
    });
    expect(f).toMatchObject({
      verdict: 'allow',
      policies: ['prod-deploy'],
      reasons: ['allowed'],
      policyDigest: 'digest-1',
      requestedAt: NOW.toISOString(),
      decidedAt: NOW.toISOString(),
    });
  });

  it('names nobody when the token did not verify', () => {
    const f = facts({ claims: undefined, verificationFailure: 'expired' });
    expect(f.verified).toBeNull();
    expect(f.verificationFailure).toBe('expired');
    expect(f.asked.pipeline.repository).toBe('acme/web');
  });

  it('copies named fields only: no token, credential or extra field can slip in', () => {
    const event = structuredClone(requestEvent());
    Object.assign(event.data, { sessionToken: 'SECRET-data' });
    Object.assign(event.data.pipeline, { token: 'SECRET-pipeline', branch: 'main' });
    Object.assign(event.data.credentials, { secretAccessKey: 'SECRET-credentials' });
    const claims = Object.assign({ ...CLAIMS }, { accessToken: 'SECRET-claims', aud: 'SECRET-aud' });
    const f = buildDecisionFacts({ event, claims, result: ALLOW, policyDigest: 'd', decidedAt: NOW });
    const text = JSON.stringify(f);
    for (const leak of [
      event.data.identityTokenJwe,
      'SECRET',
      event.data.nonce,
      event.data.credentials.assumedRoleArn,
    ])
      expect(text).not.toContain(leak);
    expect(Object.keys(f).sort()).toEqual(
      [
        'asked',
        'decidedAt',
        'policies',
        'policyDigest',
        'reasons',
        'requestId',
        'requestedAt',
        'verdict',
        'verified',
      ].sort(),
    );
    expect(Object.keys(f.asked.role).sort()).toEqual(['roleArn', 'sessionName']);
  });

  it('keeps at most 16 reasons, approvers only when some are required, and cannot be edited', () => {
    const reasons = Array.from({ length: 20 }, (_, i) => `reason ${i}`);
    const pending = facts({
      result: { verdict: 'pending', determining: ['p'], reasons, approvers: ['sre'] },
    });
    expect(pending.reasons).toHaveLength(16);
    expect(pending.approvers).toEqual(['sre']);
    expect('approvers' in facts({ result: { ...ALLOW, approvers: [] } })).toBe(false);
    expect(Object.isFrozen(pending.asked.pipeline)).toBe(true);
  });
});

describe('deniedInstead', () => {
  it('keeps who asked and what for, and drops what the overruled verdict granted', () => {
    const pending = facts({
      result: { verdict: 'pending', determining: ['p'], reasons: ['r'], approvers: ['sre'] },
    });
    const denied = deniedInstead(pending, { reason: 'audit mirror unavailable', failedPath: 'audit mirror' });
    expect(denied).toEqual({
      requestId: pending.requestId,
      verified: pending.verified,
      asked: pending.asked,
      verdict: 'deny',
      reasons: ['audit mirror unavailable'],
      policies: [],
      policyDigest: 'digest-1',
      failedPath: 'audit mirror',
      requestedAt: pending.requestedAt,
      decidedAt: pending.decidedAt,
    });
  });
});
