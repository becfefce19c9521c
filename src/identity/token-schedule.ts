/**
 * When to replace an access token. Refreshing while a comfortable part of its life remains
 * means every (re)connect presents a token the broker still accepts, and leaves time to
 * retry if the provider is briefly unavailable.
 */
import { decodeJwt } from 'jose';

export interface TokenTimes {
  /** Epoch ms after which the token must not be presented any more. */
  readonly expiresAt: number;
  /** Epoch ms from which the token is replaced on use (or by the background timer). */
  readonly refreshAt: number;
}

/**
 * Refresh once less than max(`refreshBeforeMs`, 20% of the lifetime) remains, but never in the
 * first half of the lifetime, so a provider issuing tokens shorter than the margin is not
 * asked on every call. Times count from when the request was SENT (RFC 6749 §5.1: expires_in
 * is relative to the response), and expiry one second early because `exp` is whole seconds
 * (RFC 7519 §2, NumericDate) and the provider may have rounded the issue time down.
 * Undefined when the lifetime is missing or not positive.
 */
export function refreshSchedule(
  sentAt: number,
  lifetimeSeconds: number | undefined,
  refreshBeforeMs: number,
): TokenTimes | undefined {
  if (lifetimeSeconds === undefined || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0)
    return undefined;
  const lifetime = lifetimeSeconds * 1000;
  const margin = Math.min(Math.max(refreshBeforeMs, lifetime * 0.2), lifetime / 2);
  const expiresAt = sentAt + lifetime - 1000;
  return { expiresAt, refreshAt: Math.min(sentAt + lifetime - margin, expiresAt) };
}

/** RFC 6749 §5.1 makes expires_in only RECOMMENDED; RFC 9068 JWTs carry `exp` (seconds). */
export function jwtLifetime(token: string, sentAt: number): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp - Math.floor(sentAt / 1000) : undefined;
  } catch {
    return undefined; // an opaque token
  }
}
