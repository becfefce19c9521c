import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { GateError } from '../errors.ts';
import { retry } from '../retry.ts';
import { type Clock, type Sleep, systemClock } from '../time.ts';
import type { AssumeRoleRequest, AwsCredentials, CredentialBroker } from './credentials.ts';
import { isRetryableStsError, stsFailure } from './sts-errors.ts';

export interface StsBrokerOptions {
  readonly region: string;
  /** AWS_ENDPOINT_URL_STS: a VPC endpoint, a FIPS endpoint, or a local STS. */
  readonly endpoint?: string | undefined;
  /** Overall budget for the exchange, retries included, in ms. */
  readonly budgetMs?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly onRetry?: (line: string) => void;
}

/**
 * AssumeRoleWithWebIdentity through the real AWS SDK. The call is unsigned (the token is
 * the credential), so no AWS credentials are needed or used. The SDK's own retries are off:
 * we retry only what AWS documents as retryable, with full jitter, under one deadline.
 */
export function createStsBroker(options: StsBrokerOptions): CredentialBroker {
  const clock = options.clock ?? systemClock;
  const endpoint = options.endpoint ?? `https://sts.${options.region}.amazonaws.com`;
  return {
    async assume(request: AssumeRoleRequest): Promise<AwsCredentials> {
      const client = new STSClient({
        region: options.region,
        maxAttempts: 1,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      });
      const command = new AssumeRoleWithWebIdentityCommand({
        RoleArn: request.roleArn,
        RoleSessionName: request.sessionName,
        WebIdentityToken: request.webIdentityToken,
        DurationSeconds: request.durationSeconds,
        ...(request.policy === undefined ? {} : { Policy: request.policy }),
        ...(request.policyArns.length ? { PolicyArns: request.policyArns.map((arn) => ({ arn })) } : {}),
      });
      const budgetMs = options.budgetMs ?? 60_000;
      const deadline = clock.now() + budgetMs;
      try {
        // Each attempt is cut off at the deadline: an STS that takes the connection and never
        // answers would otherwise hold the step for the SDK's 300 s socket timeout.
        const attempt = () =>
          client.send(command, { abortSignal: AbortSignal.timeout(Math.max(1, deadline - clock.now())) });
        const output = await retry(attempt, {
          baseMs: 250,
          capMs: 5_000,
          deadline,
          isRetryable: isRetryableStsError,
          clock,
          ...(options.sleep ? { sleep: options.sleep } : {}),
          ...(options.random ? { random: options.random } : {}),
          onRetry: ({ attempt, delayMs, error }) =>
            options.onRetry?.(
              `STS attempt ${attempt} failed (${errorName(error)}); retrying in ${delayMs} ms`,
            ),
        });
        const c = output.Credentials;
        const arn = output.AssumedRoleUser?.Arn;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration || !arn) {
          throw new GateError('STS_UNAVAILABLE', `AWS STS at ${endpoint} answered without credentials`);
        }
        return Object.freeze({
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
          assumedRoleArn: arn,
          region: options.region,
        });
      } catch (error) {
        if (error instanceof GateError) throw error;
        if (clock.now() >= deadline) {
          throw new GateError(
            'STS_UNAVAILABLE',
            `AWS STS at ${endpoint} did not answer within ${Math.round(budgetMs / 1000)} s`,
            { cause: error, details: { role: request.roleArn } },
          );
        }
        throw stsFailure(error, request, endpoint);
      } finally {
        client.destroy();
      }
    },
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'error';
}
