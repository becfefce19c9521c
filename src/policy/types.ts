import type { StepFacts } from '../bitbucket/facts.ts';
import type { Verdict } from '../events/decision.ts';
import type { RequestData } from '../events/request.ts';

/**
 * The claims of a Bitbucket step token AFTER the service verified it (P3). Identity in the
 * policy (principal, groups, branch) is built from these alone, never from the request's
 * self-declared `pipeline` block.
 */
export interface VerifiedClaims {
  /** Brace-wrapped UUIDs, as in the token. */
  workspaceUuid: string;
  repositoryUuid: string;
  branchName?: string;
  deploymentEnvironmentUuid?: string;
  sub: string;
  iss: string;
}

/** One permit's requirement: `count` distinct people, each in one of `groups` (issue 16). */
export interface ApprovalRequirement {
  /** The permit that asks (its `@id`). */
  readonly policy: string;
  /** From `@approval("…")`: any one of these groups. */
  readonly groups: readonly string[];
  /** From `@approvals("N")`, default 1. */
  readonly count: number;
}

export interface PolicyInput {
  claims: VerifiedClaims;
  /** What the service established at the source: the environment and the pipeline run. */
  facts: StepFacts;
  /**
   * The signed request's data: only what the step ASKS for (role, session, the environment
   * by name); the identity token (encrypted) has been consumed by verification.
   */
  request: Omit<RequestData, 'identityTokenJwe'>;
  /** The service's clock: the policy sees it as `context.now`, `context.hour`, `context.weekday` (UTC). */
  now: Date;
}

export interface PolicyDecision {
  verdict: Verdict;
  /** On allow/pending: the permit policies that granted it; on deny: the forbids that matched. */
  determining: string[];
  /** Sentences a person understands, most important first. */
  reasons: string[];
  /** Cedar evaluation errors, `policy <id> (<file:line:col>): <message>`; any error means deny. */
  errors: string[];
  /** For `pending`: the approver groups named by `@approval("…")`. */
  approvers?: string[];
  /**
   * For `pending`: what each permit that applied asks for; meeting any one of them allows the
   * request (Cedar permits are alternatives). `@approval` names the groups, `@approvals` the count.
   */
  approval?: ApprovalRequirement[];
  /** For `deny`: the rule (and attribute) that failed, for the decision's `failedPath` (P6). */
  failedPath?: string;
}

export interface PolicyEngine {
  /** The directory it was loaded from. */
  readonly dir: string;
  /** base64url SHA-256 over the sorted file names and contents (see policy-dir.ts). */
  readonly digest: string;
  /** Static and linked policy ids, in file order; templates are not policies until linked. */
  readonly policyIds: readonly string[];
  /** Validator warnings (strict mode) that did not stop loading, one line each. */
  readonly warnings: readonly string[];
  decide(input: PolicyInput): PolicyDecision;
  /** Loads the directory again into a NEW engine; this one is untouched, so a failed reload changes nothing. */
  reload(): Promise<PolicyEngine>;
}
