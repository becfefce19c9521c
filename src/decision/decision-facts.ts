import type { Verdict } from '../events/decision.ts';
import type { Action } from '../events/request.ts';
import type { VerifiedClaims } from '../policy/types.ts';
import type { ApprovalAct, ApprovalRequirement } from './approval-facts.ts';

/** The claims of a step token the service verified, as the token verifier port hands them over. */
export type VerifiedStep = VerifiedClaims & { readonly stepUuid: string; readonly pipelineUuid?: string };

/** Who asked, as the verified step token says it: nothing here comes from the request. */
export interface VerifiedIdentity {
  readonly iss: string;
  readonly sub: string;
  readonly workspaceUuid: string;
  readonly repositoryUuid: string;
  readonly stepUuid: string;
  readonly pipelineUuid?: string;
  readonly branchName?: string;
  readonly deploymentEnvironmentUuid?: string;
  /** The environment the token proves, as Bitbucket (or the operator's map) names it. */
  readonly environment?: {
    readonly name: string;
    readonly slug: string;
    readonly type: string;
    readonly source: string;
  };
  /** The pipeline run the token names, as Bitbucket ran it. */
  readonly pipeline?: {
    readonly build: number;
    readonly ref: string;
    readonly branch?: string;
    readonly tag?: string;
    readonly commit: string;
    readonly trigger: string;
    readonly triggeredBy: string;
    /** The same account's Atlassian account id, when Bitbucket gave it (approvers map to either). */
    readonly triggeredByAccountId?: string;
  };
}

/**
 * The pipeline as the request declares it. Only repositoryUuid, stepUuid and
 * deploymentEnvironmentUuid are checked (against the token, when the request names them);
 * every other field is the pipe's word, e.g. a branch or commit the token does not vouch for.
 */
export interface AskedPipeline {
  readonly workspace: string;
  readonly repository: string;
  readonly repositoryUuid?: string;
  readonly pipelineUuid?: string;
  readonly stepUuid?: string;
  readonly buildNumber?: string;
  readonly commit?: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly deploymentEnvironment?: string;
  readonly deploymentEnvironmentUuid?: string;
}

/** What the request merely asked for: labelled `asked` wherever it is shown. */
export interface Asked {
  readonly action: Action;
  readonly environment: string;
  readonly pipeline: AskedPipeline;
  /** The role the step assumed and the session name it chose: metadata, never a credential. */
  readonly role: { readonly roleArn: string; readonly sessionName: string };
}

/**
 * One decision's facts, built once (build-decision-facts.ts). The decision log line, the
 * audit record (and so `audit export`) and the signed decision's verdict all come from it, so
 * they cannot disagree. Never a token or a credential.
 */
export interface DecisionFacts {
  readonly requestId: string;
  /** null: the step token did not verify, so the decision names nobody. */
  readonly verified: VerifiedIdentity | null;
  readonly asked: Asked;
  readonly verdict: Verdict;
  /** Sentences a person understands, most important first; at most 16. */
  readonly reasons: readonly string[];
  /** The policies that determined the verdict. */
  readonly policies: readonly string[];
  /** Digest of the whole policy set in force: the policy version. */
  readonly policyDigest: string;
  /** For `pending`: the groups that must approve. */
  readonly approvers?: readonly string[];
  /** For `pending`: what each permit that applied asks for (any one suffices). */
  readonly approval?: readonly ApprovalRequirement[];
  /** An approval or rejection given for this pending request: its own audit record (issue 16). */
  readonly act?: ApprovalAct;
  /** For a verdict that approvals settled: every act that counted (the approvers, or the rejection). */
  readonly acts?: readonly ApprovalAct[];
  /** For `deny`: the check, rule or attribute that failed. */
  readonly failedPath?: string;
  /** Which check the request failed (token, identity, replay), when one did. */
  readonly verificationFailure?: string;
  /** The request's own event time; the decision table holds it within REQUEST_WINDOW of `decidedAt`. */
  readonly requestedAt: string;
  readonly decidedAt: string;
}
