import { GateError } from '../errors.ts';
import type { AssumeRoleRequest } from './credentials.ts';

interface AwsError {
  readonly name: string;
  readonly message: string;
  readonly status: number | undefined;
}

function asAwsError(error: unknown): AwsError {
  if (!(error instanceof Error)) return { name: 'Unknown', message: String(error), status: undefined };
  const metadata = '$metadata' in error ? error.$metadata : undefined;
  const status =
    typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata
      ? Number(metadata.httpStatusCode)
      : undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { name: code && error.name === 'Error' ? code : error.name, message: error.message, status };
}

const NETWORK =
  /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up|TimeoutError|RequestTimeout/i;

/** What AWS documents as worth retrying: throttling, 5xx, IdP communication and the network. */
export function isRetryableStsError(error: unknown): boolean {
  const { name, message, status } = asAwsError(error);
  if (/Throttl|TooManyRequests|RequestLimitExceeded|IDPCommunicationError/.test(name)) return true;
  if (status !== undefined && status >= 500) return true;
  return NETWORK.test(name) || NETWORK.test(message);
}

/**
 * Maps an STS failure to the identity path that failed and what to change. AWS answers
 * "AccessDenied" both for a role that does not exist and for a trust policy that does not
 * match, so that message names both.
 */
export function stsFailure(error: unknown, request: AssumeRoleRequest, endpoint: string): GateError {
  const aws = asAwsError(error);
  const details = { role: request.roleArn, awsError: aws.name };
  const say = (code: GateError['code'], message: string, extra: Record<string, string> = {}) =>
    new GateError(code, message, { cause: error, details: { ...details, ...extra } });
  const audience = Array.isArray(request.audience) ? request.audience.join(', ') : String(request.audience);
  switch (aws.name) {
    case 'InvalidIdentityTokenException':
    case 'InvalidIdentityToken':
      if (/audience/i.test(aws.message)) {
        return say('STS_AUDIENCE_MISMATCH', `AWS rejected the token's audience "${audience}"`, { audience });
      }
      return say('STS_INVALID_TOKEN', `AWS rejected the step token: ${oneLine(aws.message)}`);
    case 'ExpiredTokenException':
      return say('STS_TOKEN_EXPIRED', 'AWS says the step token has expired');
    case 'IDPRejectedClaimException':
      return say('STS_INVALID_TOKEN', `AWS rejected a claim of the step token: ${oneLine(aws.message)}`);
    case 'AccessDenied':
    case 'AccessDeniedException':
      return say(
        'STS_TRUST_POLICY',
        `AWS refused to let this step assume ${request.roleArn}: the role does not exist, or its trust policy does not accept sub "${request.subject}"`,
        { subject: request.subject, audience },
      );
    case 'MalformedPolicyDocumentException':
    case 'MalformedPolicyDocument':
      return say('STS_POLICY_MALFORMED', `AWS rejected SESSION_POLICY: ${oneLine(aws.message)}`);
    case 'PackedPolicyTooLargeException':
    case 'PackedPolicyTooLarge':
      return say(
        'STS_POLICY_TOO_LARGE',
        `SESSION_POLICY and SESSION_POLICY_ARNS are too large: ${oneLine(aws.message)}`,
      );
    case 'RegionDisabledException':
      return say('STS_REGION_DISABLED', `STS is not activated in this region: ${oneLine(aws.message)}`);
    case 'ValidationError':
      if (/roleArn/i.test(aws.message))
        return say('STS_ROLE_UNKNOWN', `ROLE is not a valid role ARN: ${oneLine(aws.message)}`);
      return say('STS_VALIDATION', `AWS rejected the request: ${oneLine(aws.message)}`);
    default:
      return say('STS_UNAVAILABLE', `AWS STS at ${endpoint} failed: ${aws.name}: ${oneLine(aws.message)}`);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
