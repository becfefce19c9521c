/**
 * What a failed OAuth 2.0 token request (discovery or the grant) means for the decision
 * service: worth retrying or not, and one line that names the issuer and client id. Lines
 * are built from the library's error code, the HTTP status and fixed text only; the request
 * carried the client secret and the response may carry a token, and neither is ever echoed.
 */
import { ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { GateError } from '../errors.ts';
import { describeFailure } from './token-rejection.ts';

export interface GrantClient {
  readonly issuer: string;
  readonly clientId: string;
}

/** Status of a response openid-client refused: RFC 6749 §5.2 errors, or a non-conforming body. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof ResponseBodyError || error instanceof WWWAuthenticateChallengeError)
    return error.status;
  if (error instanceof ClientError && error.cause instanceof Response) return error.cause.status;
  return undefined;
}

/**
 * Retry what may pass by itself: the network (fetch rejects with an uncoded TypeError, while
 * openid-client's own argument errors carry a code), timeouts, 429 and 5xx (RFC 9110 §15.6).
 * invalid_client, invalid_scope, invalid_target (RFC 8707 §2) and the like will not.
 */
export function isRetryableGrantError(error: unknown): boolean {
  if (error instanceof TypeError) return !('code' in error);
  if (error instanceof ClientError && error.code === 'OAUTH_TIMEOUT') return true;
  const status = statusOf(error);
  return status !== undefined && (status === 429 || status >= 500);
}

/** The RFC 6749 §5.2 error code, from the body or (RFC 6750 §3, on a 401) the challenge. */
function oauthError(error: unknown): string | undefined {
  if (error instanceof ResponseBodyError) return error.error;
  if (error instanceof WWWAuthenticateChallengeError) return error.cause[0]?.parameters.error;
  return undefined;
}

/** One line about the failure, safe to log (see the module comment). */
export function describeGrantFailure(error: unknown): string {
  const status = statusOf(error);
  const code = oauthError(error);
  if (status !== undefined) return code === undefined ? `HTTP ${status}` : `${code} (HTTP ${status})`;
  if (error instanceof GateError) return error.message;
  return describeFailure(error);
}

/** The service cannot get a token, so it cannot authenticate to Pulsar. */
export function grantFailure(error: unknown, client: GrantClient, what = 'could not get'): GateError {
  const hint =
    oauthError(error) === 'invalid_client'
      ? '; check the client id and secret registered at the provider'
      : '';
  return new GateError(
    'PULSAR_AUTH',
    `the decision service ${what} an access token for client "${client.clientId}" from ${client.issuer}: ${describeGrantFailure(error)}${hint}`,
    { cause: error, details: { issuer: client.issuer, clientId: client.clientId } },
  );
}
