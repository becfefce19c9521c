/**
 * What the peer records: each call (for tests that check why a call failed) and each issued
 * session (what AWS would show in CloudTrail: role, subject, provider, session tags).
 * Neither ever holds the web identity token or the issued secrets.
 */
import type { StsErrorCode } from './errors.ts';

/** One AssumeRoleWithWebIdentity call. Never holds the token or the issued secrets. */
export type StsCall = {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  policy?: string;
  policyArns: string[];
  outcome: 'ok' | StsErrorCode;
  reason?: string;
  /** The verified token's `sub` and matched `aud`, once the token passed verification. */
  subject?: string;
  audience?: string;
  at: Date;
};

/** One issued session. */
export type StsSession = {
  roleArn: string;
  sessionName: string;
  subject: string;
  audience: string;
  /** The ARN of the IAM OIDC provider that vouched for the token. */
  provider: string;
  /** Session tags from the token's `https://aws.amazon.com/tags` claim ({} without one). */
  tags: Readonly<Record<string, string>>;
  transitiveTagKeys: readonly string[];
  expiration: Date;
};
