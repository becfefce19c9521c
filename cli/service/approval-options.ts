import { boolean, integer, list, text, topic, url } from '../options/parsers.ts';
import { options, type Rule } from '../options/spec.ts';

/**
 * Approvals (README: "Approvals"): who may approve a pending request is verified from their
 * OIDC ID token at the organisation's IdP; these options name that IdP, the claims to read,
 * how people map to Bitbucket accounts, and how long a request waits for them.
 */
export const APPROVAL_OPTIONS = options({
  approverIssuer: {
    flag: '--approver-issuer',
    env: 'APPROVER_ISSUER',
    parse: url(['https', 'http']),
    accepts:
      "the organisation's OIDC issuer approvers sign in at (unset: no approvals; pending waits out its TIMEOUT)",
  },
  approverClientId: {
    flag: '--approver-client-id',
    env: 'APPROVER_CLIENT_ID',
    parse: list(text),
    accepts: 'the client id(s) of the approvals page and CLI at that issuer: the ID token audience',
  },
  approverClientSecret: {
    flag: '--approver-client-secret',
    env: 'APPROVER_CLIENT_SECRET',
    secret: true,
    parse: text,
    accepts:
      "the approvals page's client secret, if the IdP made it a confidential client (give it as a file); PKCE either way",
  },
  approverGroupsClaim: {
    flag: '--approver-groups-claim',
    env: 'APPROVER_GROUPS_CLAIM',
    parse: text,
    fallback: 'groups',
    accepts: 'the ID token claim listing the person\'s groups (mapped through groups.json "approvers")',
  },
  approverBitbucketClaim: {
    flag: '--approver-bitbucket-claim',
    env: 'APPROVER_BITBUCKET_CLAIM',
    parse: text,
    accepts: "an ID token claim holding the person's Bitbucket account uuid or Atlassian account id",
  },
  approverMap: {
    flag: '--approver-map',
    env: 'APPROVER_MAP',
    parse: text,
    accepts:
      'a JSON file {"<sub>" | "<verified email>" | "<issuer> <sub>": "<Bitbucket account uuid or account id>"}',
  },
  allowUnmappedApprovers: {
    flag: '--allow-unmapped-approvers',
    env: 'ALLOW_UNMAPPED_APPROVERS',
    parse: boolean,
    fallback: false,
    accepts:
      'true: count approvers who map to no Bitbucket account (who ran the pipeline cannot then be ruled out)',
  },
  approvalWindowSeconds: {
    flag: '--approval-window',
    env: 'APPROVAL_WINDOW',
    parse: integer(60, 86_400),
    fallback: 3600,
    accepts: 'seconds, 60–86400: how long a pending request accepts approvals',
  },
  approvalsUrl: {
    flag: '--approvals-url',
    env: 'APPROVALS_URL',
    parse: url(['https', 'http']),
    accepts:
      'the public URL of the approvals page (…/approvals): serves the page, and the links the pipe prints; register <it>/callback at the IdP',
  },
  approvalWebhookUrl: {
    flag: '--approval-webhook-url',
    env: 'APPROVAL_WEBHOOK_URL',
    secret: true,
    parse: url(['https', 'http']),
    accepts:
      'where to POST (JSON, Slack/Teams-compatible "text") when a request becomes pending; a secret: give it as a file',
  },
  approvalsTopic: {
    flag: '--approvals-topic',
    env: 'APPROVALS_TOPIC',
    parse: topic,
    accepts: 'where replicas record pending requests and approvals',
    defaultText: 'DECISIONS_TOPIC with -approvals appended',
  },
});

/** The client id makes the audience; without it no ID token could be checked. */
export const approverClientRequired: Rule<typeof APPROVAL_OPTIONS> = (v) =>
  v.approverIssuer !== undefined && v.approverClientId === undefined
    ? [{ key: 'approverClientId', issue: 'is required with APPROVER_ISSUER: it is the ID token audience' }]
    : [];
