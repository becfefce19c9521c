/**
 * The exit codes of every command (docs/design.md §5). A command that ends without a GateError
 * uses these by name: `allowed` for success, `denied` for a deny or a broken audit trail,
 * `timeout` for a decision that did not come (or, in `policy test`, is still pending).
 */
export const EXIT = Object.freeze({
  allowed: 0,
  denied: 1,
  config: 2,
  identity: 3,
  timeout: 4,
  pulsar: 5,
  /** Not a GateError: a bug. Fails closed, like a deny. */
  unexpected: 1,
});

/** The command families; a hint may be worded for one where the pipe's words do not fit. */
export type Family = 'request' | 'serve' | 'keys' | 'audit' | 'policy' | 'onboard' | 'webhooks' | 'approvals';

export interface Outcome {
  readonly exit: number;
  /** The identity path that failed (P6). */
  readonly path: string;
  /** What a person needs to do about it, in the pipe's words (Bitbucket variables). */
  readonly hint: string;
  /** The same advice for another command family, where the pipe's words would mislead. */
  readonly hints?: Readonly<Partial<Record<Family, string>>>;
}
