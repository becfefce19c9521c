import type { TrustedKeys } from './trusted-keys.ts';

/** The decision keys a waiting pipe trusts right now. */
export interface TrustSource {
  /** Trusted keys as of now (with KEYS_TOPIC: read to the topic's end); the deadline bounds it. */
  current(deadline: number): Promise<TrustedKeys>;
  close(): Promise<void>;
}

/** DECISION_KEYS alone. Kept apart from the key-set follower, which the pipe loads only for KEYS_TOPIC. */
export function pinnedTrust(trusted: TrustedKeys): TrustSource {
  return { current: async () => trusted, close: async () => {} };
}
