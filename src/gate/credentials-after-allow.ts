import type { AwsCredentials } from '../credentials/credentials.ts';
import { secretsOf } from '../credentials/credentials.ts';
import { GateError } from '../errors.ts';
import type { Decision } from '../events/decision.ts';
import type { CredentialMetadata } from '../events/request.ts';
import type { RunEncryptionKey } from '../jose/run-encryption-key.ts';
import { sha256Base64url } from '../lib/sha256.ts';
import { openGateToken } from './open-gate-token.ts';
import type { GatePorts, GateRequest } from './ports.ts';

/**
 * Credentials the rest of the step gets less than this long are refused: a deploy that starts
 * with a minute left fails half-way. Documented in the README ("Enforce the gate").
 */
export const MIN_CREDENTIAL_SECONDS = 60;

/**
 * The credentials a verified allow is worth. Step mode: those assumed before the wait. Gate
 * mode: the gate token inside the allow, opened with this run's key, exchanged now with
 * AssumeRoleWithWebIdentity (session name, duration, policies as configured) — so they are
 * fresh. Both: refused when they have less than MIN_CREDENTIAL_SECONDS left.
 */
export async function credentialsAfterAllow(
  ports: Pick<GatePorts, 'credentials' | 'clock' | 'log'>,
  request: Pick<GateRequest, 'mode' | 'session' | 'region'>,
  decision: Decision,
  prepared: {
    readonly credentials: AwsCredentials | undefined;
    readonly runKey: RunEncryptionKey | undefined;
  },
): Promise<AwsCredentials> {
  let credentials = prepared.credentials;
  if (request.mode === 'gate') {
    if (prepared.runKey === undefined) throw new Error('gate mode without a run key');
    const gate = await openGateToken(decision, prepared.runKey.privateKey, ports.clock.now());
    // The gate token is a bearer credential until it expires: never in any line of the log.
    ports.log.secret(gate.token);
    credentials = await ports.credentials.assume({
      ...request.session,
      webIdentityToken: gate.token,
      subject: gate.sub,
      audience: gate.aud,
    });
    for (const secret of secretsOf(credentials)) ports.log.secret(secret);
    ports.log.info(`✓ Assumed ${credentials.assumedRoleArn} with the gate token (${gate.sub})`);
  }
  if (credentials === undefined) throw new Error('step mode without credentials');
  const left = Math.floor((credentials.expiration.getTime() - ports.clock.now()) / 1000);
  if (left < MIN_CREDENTIAL_SECONDS) {
    throw new GateError(
      'CREDENTIALS_SHORT_LIVED',
      `the credentials for ${credentials.assumedRoleArn} have ${Math.max(left, 0)} s left, less than ${MIN_CREDENTIAL_SECONDS} s`,
      { details: { path: 'AWS credentials', requestId: decision.requestId } },
    );
  }
  return credentials;
}

/** What the request reports about the session: in gate mode nothing is assumed yet. */
export function credentialMetadata(
  request: GateRequest,
  credentials: AwsCredentials | undefined,
): CredentialMetadata {
  const { session } = request;
  return {
    roleArn: session.roleArn,
    ...(credentials
      ? { assumedRoleArn: credentials.assumedRoleArn, expiration: credentials.expiration.toISOString() }
      : {}),
    sessionName: session.sessionName,
    region: request.region,
    durationSeconds: session.durationSeconds,
    ...(session.policy === undefined ? {} : { sessionPolicyDigest: sha256Base64url(session.policy) }),
    ...(session.policyArns.length ? { policyArns: [...session.policyArns] } : {}),
  };
}
