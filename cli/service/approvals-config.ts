import { approvalsTopicFor } from '../../src/approvals/approvals-topic-name.ts';
import type { Values } from '../options/spec.ts';
import type { ServeOptions } from './serve-options.ts';

/** How `serve` verifies approvers and where it keeps pending requests (README: "Approvals"). */
export interface ApprovalsConfig {
  readonly issuer: string;
  readonly clientIds: readonly string[];
  readonly clientSecret: string | undefined;
  readonly groupsClaim: string;
  readonly bitbucketClaim: string | undefined;
  /** The APPROVER_MAP file, read at start. */
  readonly mapFile: string | undefined;
  readonly allowUnmapped: boolean;
  readonly windowSeconds: number;
  readonly pageUrl: string | undefined;
  readonly topic: string;
  /** APPROVAL_WEBHOOK_URL: a secret, never logged. */
  readonly webhookUrl: string | undefined;
}

export function approvalsConfigOf(
  v: Values<ServeOptions>,
  decisionsTopic: string,
): ApprovalsConfig | undefined {
  if (v.approverIssuer === undefined) return undefined;
  return {
    issuer: v.approverIssuer,
    clientIds: v.approverClientId ?? [],
    clientSecret: v.approverClientSecret,
    groupsClaim: v.approverGroupsClaim,
    bitbucketClaim: v.approverBitbucketClaim,
    mapFile: v.approverMap,
    allowUnmapped: v.allowUnmappedApprovers,
    windowSeconds: v.approvalWindowSeconds,
    pageUrl: v.approvalsUrl?.replace(/\/+$/, ''),
    topic: approvalsTopicFor(v.approvalsTopic, decisionsTopic),
    webhookUrl: v.approvalWebhookUrl,
  };
}
