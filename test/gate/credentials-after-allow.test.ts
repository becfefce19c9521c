// What an allow is worth (issue 14): in gate mode the credentials come only from the gate
// token, exchanged after the allow; in both modes credentials about to expire are refused.
import { describe, expect, it } from 'vitest';
import type { AssumeRoleRequest, AwsCredentials } from '../../src/credentials/credentials.ts';
import { gateTokenClaims, sealGateToken, signGateToken } from '../../src/events/gate-token.ts';
import { importReplyKey } from '../../src/events/reply-key.ts';
import { credentialsAfterAllow, MIN_CREDENTIAL_SECONDS } from '../../src/gate/credentials-after-allow.ts';
import type { GatePorts, GateRequest } from '../../src/gate/ports.ts';
import { generateRunEncryptionKey } from '../../src/jose/run-encryption-key.ts';
import { importSigningKey } from '../../src/jose/signing-key.ts';
import { generateGateKeySet } from '../../src/keys/service-keys.ts';
import { decisionFor, signedRun } from '../events/fixtures.ts';

const NOW = Date.parse('2030-05-01T12:00:02Z');

function credentials(secondsLeft: number): AwsCredentials {
  return {
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'session',
    expiration: new Date(NOW + secondsLeft * 1000),
    assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
    region: 'eu-west-1',
  };
}

async function world(secondsLeft: number) {
  const run = await generateRunEncryptionKey();
  const signing = await importSigningKey((await generateGateKeySet()).current, 'gate');
  const claims = gateTokenClaims({
    issuer: 'https://gate.example.com',
    decisionId: 'r:decision',
    repositoryUuid: 'r',
    workspaceUuid: 'w',
    environment: 'production',
    action: 'deploy',
    issuedAt: Math.floor(NOW / 1000),
    lifetimeSeconds: 300,
  });
  const token = await signGateToken(claims, signing);
  const gateTokenJwe = await sealGateToken(token, await importReplyKey({ ...run.publicJwk }));
  const allow = decisionFor(await signedRun(), { verdict: 'allow', decisionId: 'r:decision', gateTokenJwe });
  const asked: AssumeRoleRequest[] = [];
  const secrets: string[] = [];
  const ports = {
    credentials: {
      assume: async (request: AssumeRoleRequest) => {
        asked.push(request);
        return credentials(secondsLeft);
      },
    },
    clock: { now: () => NOW },
    log: { info() {}, warn() {}, debug() {}, secret: (value: string) => secrets.push(value) },
  } satisfies Pick<GatePorts, 'credentials' | 'clock' | 'log'>;
  const request = {
    mode: 'gate',
    session: {
      roleArn: 'arn:aws:iam::123456789012:role/r',
      sessionName: 's',
      durationSeconds: 900,
      policyArns: [],
    },
    region: 'eu-west-1',
  } satisfies Pick<GateRequest, 'mode' | 'session' | 'region'>;
  return { run, token, allow, asked, secrets, ports, request };
}

describe('credentialsAfterAllow', () => {
  it('gate mode: exchanges the gate token, as the gate sub, and marks it secret before anything prints', async () => {
    const w = await world(900);
    const minted = await credentialsAfterAllow(w.ports, w.request, w.allow, {
      credentials: undefined,
      runKey: w.run,
    });
    expect(minted.accessKeyId).toBe('ASIAEXAMPLE');
    expect(w.asked).toEqual([
      expect.objectContaining({
        webIdentityToken: w.token,
        subject: 'repo:r:env:production',
        audience: 'sts.amazonaws.com',
      }),
    ]);
    expect(w.secrets[0]).toBe(w.token);
  });

  it(`refuses credentials with less than ${MIN_CREDENTIAL_SECONDS} s left, in gate and in step mode`, async () => {
    const w = await world(MIN_CREDENTIAL_SECONDS - 1);
    await expect(
      credentialsAfterAllow(w.ports, w.request, w.allow, { credentials: undefined, runKey: w.run }),
    ).rejects.toMatchObject({ code: 'CREDENTIALS_SHORT_LIVED' });
    const step = { ...w.request, mode: 'step' as const };
    await expect(
      credentialsAfterAllow(w.ports, step, w.allow, { credentials: credentials(10), runKey: undefined }),
    ).rejects.toThrow(/10 s left/);
    const fine = await credentialsAfterAllow(w.ports, step, w.allow, {
      credentials: credentials(MIN_CREDENTIAL_SECONDS),
      runKey: undefined,
    });
    expect(fine.accessKeyId).toBe('ASIAEXAMPLE');
    // Step mode never calls STS after the allow: it assumed before the wait.
    expect(w.asked).toHaveLength(1);
  });
});
