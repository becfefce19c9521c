/**
 * What approvals add to a decision's facts (issue 16): what the policy asks for while a request
 * is pending, and each person's verified act. Shared by the policy (which asks), the approvals
 * desk (which counts) and the audit trail (which records); nothing here is a token.
 */

export type { ApprovalRequirement } from '../policy/types.ts';

/** A person as the service verified them from their OIDC ID token, never as they claim. */
export interface VerifiedApprover {
  /** `iss` and `sub` of the verified ID token: the person's stable identity at their IdP. */
  readonly iss: string;
  readonly sub: string;
  /** A name to show (`name`, else `email`, else `sub`): display only, never compared. */
  readonly name: string;
  /** Policy groups the person is in: the token's groups claim mapped through groups.json. */
  readonly groups: readonly string[];
  /** The Bitbucket account the person maps to (claim or map file), when they map to one. */
  readonly bitbucket?: string;
}

/** One approval or rejection, as the accepting replica verified and recorded it. */
export interface ApprovalAct {
  readonly kind: 'approve' | 'reject';
  readonly approver: VerifiedApprover;
  /** One line; required for a rejection (it is the deny's reason). */
  readonly comment: string;
  readonly at: string;
}
