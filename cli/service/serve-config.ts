import { dirname, join } from 'node:path';
import { GATE_KEYS } from '../../src/keys/gate-keys.ts';
import { ENCRYPTION_KEYS } from '../../src/keys/key-store.ts';
import { decisionsTopicFor } from '../../src/service/decisions-topic.ts';
import type { ReplyTemplate } from '../../src/service/reply-template.ts';
import type { RequestLimits } from '../../src/service/request-limits.ts';
import { anchorTopic, parseTopicEntry, type TopicEntry } from '../../src/service/topic-patterns.ts';
import { adminUrlOf } from '../../src/transport/namespace-topics.ts';
import { mustRead } from '../options/read.ts';
import type { OptionSource } from '../options/spec.ts';
import { type ApprovalsConfig, approvalsConfigOf } from './approvals-config.ts';
import { type AuditConfig, auditConfigOf } from './audit-config.ts';
import { type OAuthClientConfig, oauthClientOf } from './serve-oauth-config.ts';
import { SERVE_OPTIONS } from './serve-options.ts';
import { SERVE_RULES } from './serve-rules.ts';

/** `pulsar-gate-service serve` options, flags over environment variables, validated once. */
export interface ServeConfig {
  readonly pulsarUrl: string;
  readonly pulsarToken: string | undefined;
  /** OAuth 2.0 client credentials for Pulsar (issue 5 §3); exclusive with pulsarToken. */
  readonly oauth: OAuthClientConfig | undefined;
  /** TOPICS: topics and patterns, resolved by cli/service/serve-topics.ts (at start and on SIGHUP). */
  readonly topics: readonly TopicEntry[];
  /** Where patterns are listed: PULSAR_ADMIN_URL, else PULSAR_URL when it is the web service. */
  readonly adminUrl: string | undefined;
  /** Where key sets are announced (issue 5 §4); undefined: no announcements. */
  readonly keysTopic: string | undefined;
  readonly subscription: string;
  /** Where replicas record and read every decision (P2): DECISIONS_TOPIC or its default. */
  readonly decisionsTopic: string;
  readonly deadLetterSuffix: string;
  /** Where each request topic's decisions go (issue 13 §2). */
  readonly replyTemplate: ReplyTemplate;
  /** Per step and per repository, per replica (issue 13 §4). */
  readonly limits: RequestLimits;
  readonly signingKeyFile: string;
  /** The private encryption keys that decrypt the step tokens (issue 13). */
  readonly encryptionKeysFile: string;
  readonly policyDir: string;
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly allowInsecureIssuer: boolean;
  readonly stateDir: string | undefined;
  readonly requestWindowSeconds: number;
  readonly decisionTtlSeconds: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly decisionLog: string;
  readonly concurrency: number;
  /** Undefined without STATE_DIR: the trail and its outbox live there. */
  readonly audit: AuditConfig | undefined;
  /** Where environments and pipelines are looked up (exactly one source). */
  readonly bitbucket:
    | {
        readonly kind: 'api';
        readonly url: string;
        readonly token: string;
        readonly cacheSeconds: number;
        readonly timeoutSeconds: number;
        /** BITBUCKET_REVIEW: look code review up; REVIEW_EVENTS_TOPIC keeps its cache fresh. */
        readonly review: boolean;
        readonly reviewEventsTopic?: string;
      }
    | { readonly kind: 'map'; readonly file: string };
  /** Environments a step without a deployment environment may ask for. */
  readonly openEnvironments: readonly string[];
  /** The service as an OIDC issuer for AWS (issue 14); undefined: no gate tokens. */
  readonly gate:
    | { readonly issuer: string; readonly keysFile: string; readonly tokenTtlSeconds: number }
    | undefined;
  /** Undefined without APPROVER_ISSUER: a pending request then waits out its TIMEOUT. */
  readonly approvals: ApprovalsConfig | undefined;
}

/** Reads every `serve` option once; all problems together as one CONFIG_INVALID. */
export function parseServeConfig(source: OptionSource): ServeConfig {
  const v = mustRead(SERVE_OPTIONS, source, SERVE_RULES, 'serve options');
  const topics = v.topics.map(parseTopicEntry);
  return Object.freeze({
    pulsarUrl: v.pulsarUrl,
    pulsarToken: v.pulsarToken,
    oauth: oauthClientOf(v),
    topics,
    adminUrl: adminUrlOf(v.pulsarUrl, v.pulsarAdminUrl),
    keysTopic: v.keysTopic,
    subscription: v.subscription,
    decisionsTopic: decisionsTopicFor(v.decisionsTopic, topics.map(anchorTopic)),
    deadLetterSuffix: v.deadLetterSuffix,
    replyTemplate: v.replyTopicTemplate,
    limits: { perStep: v.maxRequestsPerStep, perRepositoryPerMinute: v.rateLimitPerRepository },
    signingKeyFile: v.signingKeyFile,
    // Where `keys generate` puts it: one keys directory, one option to set.
    encryptionKeysFile: v.encryptionKeysFile ?? join(dirname(v.signingKeyFile), ENCRYPTION_KEYS),
    policyDir: v.policyDir,
    issuers: v.issuers,
    audiences: v.audiences,
    allowInsecureIssuer: v.allowInsecureIssuer,
    stateDir: v.stateDir,
    requestWindowSeconds: v.requestWindowSeconds,
    decisionTtlSeconds: v.decisionTtlSeconds,
    httpHost: v.httpHost,
    httpPort: v.httpPort,
    decisionLog: v.decisionLog,
    concurrency: v.concurrency,
    audit: auditConfigOf(v, v.stateDir),
    bitbucket:
      v.environmentMap !== undefined
        ? { kind: 'map' as const, file: v.environmentMap }
        : {
            kind: 'api' as const,
            url: v.bitbucketApiUrl,
            // oneFactSource: without a map, the token is there.
            token: v.bitbucketToken ?? '',
            cacheSeconds: v.bitbucketCacheSeconds,
            timeoutSeconds: v.bitbucketTimeoutSeconds,
            review: v.bitbucketReview,
            ...(v.reviewEventsTopic === undefined ? {} : { reviewEventsTopic: v.reviewEventsTopic }),
          },
    openEnvironments: v.openEnvironments,
    gate:
      v.gateIssuer === undefined
        ? undefined
        : {
            issuer: v.gateIssuer,
            keysFile: v.gateKeysFile ?? join(dirname(v.signingKeyFile), GATE_KEYS),
            tokenTtlSeconds: v.gateTokenTtlSeconds,
          },
    approvals: approvalsConfigOf(v, decisionsTopicFor(v.decisionsTopic, topics.map(anchorTopic))),
  });
}
